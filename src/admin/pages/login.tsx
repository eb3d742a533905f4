import { html, Layout } from "./layout.tsx";

export interface LoginProps {
  readonly next: string;
  /** Shown after a wrong token; the token itself is never written back. */
  readonly failed: boolean;
}

export function loginHtml(props: LoginProps): string {
  return html(<LoginPage {...props} />);
}

function LoginPage(props: LoginProps) {
  return (
    <Layout title="Log in" page={null}>
      <form class="login" method="post" action="/login">
        <h1>Log in</h1>
        {props.failed && <p class="banner bad">That token is not the dashboard's. Try again.</p>}
        <p class="note">
          The dashboard's token is the <code>ADMIN_TOKEN</code> secret (locally: in <code>.dev.vars</code>, printed by{" "}
          <code>npm start</code>).
        </p>
        <input type="hidden" name="next" value={props.next} />
        <label>
          Token
          <input type="password" name="token" autocomplete="current-password" required autofocus />
        </label>
        <p>
          <button class="primary" type="submit">
            Log in
          </button>
        </p>
      </form>
    </Layout>
  );
}
