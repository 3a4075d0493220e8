/**
 * A password being chosen (sign-up, a reset, an invite, the profile): Auth's rules as its
 * hint, or the one rule it breaks (lib/password.ts), said once, under the field. No
 * `minLength`: the browser's own bubble would say the same thing a second time, in its words.
 */
import { t } from "../i18n/mod.ts";
import { passwordMessage } from "../i18n/errors.ts";
import { PASSWORD_MIN_LENGTH, passwordProblem } from "../lib/password.ts";
import { Field } from "./Field.tsx";

export function NewPasswordField(
  { label, value, onValue }: { label: string; value: string; onValue: (v: string) => void },
) {
  const problem = value ? passwordProblem(value) : null;
  return (
    <Field
      label={label}
      type="password"
      autocomplete="new-password"
      required
      value={value}
      onValue={onValue}
      hint={problem
        ? passwordMessage(problem)
        : t("auth.password.hint", { count: PASSWORD_MIN_LENGTH })}
      hintIsError={!!problem}
      aria-invalid={problem ? "true" : undefined}
    />
  );
}
