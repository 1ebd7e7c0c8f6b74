import { describe, expect, it } from "vitest";
import { redact, redactString, registerSecret } from "../../../../shared/observability/redact.js";

describe("redaction", () => {
  it("masks Zoho-shaped tokens, OpenAI-shaped keys and Authorization values wherever they appear", () => {
    const token = `1000.${"a".repeat(32)}.${"b".repeat(32)}`;

    expect(redactString(`refresh ${token} failed`)).toBe("refresh *** failed");
    expect(redactString(`key sk-proj-${"x".repeat(30)}`)).toBe("key ***");
    expect(redactString(`Bearer zgm_abcdefghij12_${"A".repeat(43)} refused`)).toBe("Bearer *** refused");
    expect(redactString("Authorization: Zoho-oauthtoken abc.def")).toBe("Authorization: ***");
  });

  it("masks registered secret values and secret-named keys, deep inside objects and errors", () => {
    registerSecret("my-client-secret-value");

    const out = redact({
      connection: "default",
      clientSecret: "anything",
      nested: { note: "it was my-client-secret-value" },
      error: new Error("bad my-client-secret-value"),
    });

    expect(out).toEqual({
      connection: "default",
      clientSecret: "***",
      nested: { note: "it was ***" },
      error: { name: "Error", message: "bad ***" },
    });
  });
});
