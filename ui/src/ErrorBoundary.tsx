import { Component, type ReactNode } from "react";
import { ErrorMessage } from "./ErrorMessage";
import { toErrorPayload } from "./api";
import type { ErrorPayload } from "./bindings/ErrorPayload";

/** Keeps a failure inside one part of a screen: shows it there instead of blanking the window. */
export class ErrorBoundary extends Component<
  { children: ReactNode },
  { error: ErrorPayload | null }
> {
  state = { error: null as ErrorPayload | null };

  static getDerivedStateFromError(error: unknown) {
    return { error: toErrorPayload(error) };
  }

  render() {
    if (this.state.error) {
      return (
        <ErrorMessage error={this.state.error} onDismiss={() => this.setState({ error: null })} />
      );
    }
    return this.props.children;
  }
}
