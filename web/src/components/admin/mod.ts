/** The admin view for moderators and admins (see AdminView.tsx). */
export { AdminView } from "./AdminView.tsx";
