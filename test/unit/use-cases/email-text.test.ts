import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import {
  emailText,
  htmlToPlainText,
  loadEmailText,
  trimReply,
} from "../../../shared/use-cases/email-triage/email-text.js";

beforeAll(loadEmailText);

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/email/${name}`, import.meta.url), "utf8");

describe("emailText: the sender's own words", () => {
  it("converts Gmail HTML and drops the signature block and the quoted thread", () => {
    const text = emailText({ html: fixture("gmail-reply.html") });

    expect(text).toContain("We'd like a quote for 250 seats on the annual plan");
    expect(text).toContain("by December 12");
    expect(text).not.toMatch(/Head of IT|\+81|wrote:|recording of today/);
    expect(text).not.toContain("<");
  });

  it("cuts Outlook's German header block (Von/Gesendet/An/Betreff) and the rule above it", () => {
    const text = emailText({ html: fixture("outlook-reply.html") });

    expect(text).toContain("über 4.800 € wurde doppelt abgebucht");
    expect(text.endsWith("Jürgen Weiß")).toBe(true);
    expect(text).not.toMatch(/Von:|Gesendet:|anbei Ihre Rechnung|---/);
  });

  it("cuts a French quoted reply and the '-- ' signature of a plain-text e-mail", () => {
    const text = emailText({ text: fixture("plain-quoted-fr.txt") });

    expect(text).toContain("Notre imprimante de tickets ne se connecte plus");
    expect(text).not.toMatch(/a écrit|Votre ticket a été résolu|Responsable magasin|\+33/);
  });

  it("cuts a Japanese Gmail quote header (date, name <address>:)", () => {
    const text = emailText({ text: fixture("plain-quoted-ja.txt") });

    expect(text).toContain("見積書を12月5日までにいただけますでしょうか");
    expect(text).not.toMatch(/先日はありがとうございました|yamada@/);
  });

  it("cuts a phone sign-off and a reply header wrapped over two lines", () => {
    expect(emailText({ text: fixture("plain-wrapped-en.txt") })).toBe(
      "Quick one: can you send the signed order form again? The link expired.",
    );
  });

  it("keeps a reply written below the quote whole rather than leave nothing", () => {
    const text = emailText({ text: fixture("plain-below-quote.txt") });

    expect(text).toContain("Yes: Hauptstraße 5, 10115 Berlin.");
  });

  it("prefers the plain-text body, and uses the HTML only when the text is empty", () => {
    expect(emailText({ text: "plain words", html: "<p>html words</p>" })).toBe("plain words");
    expect(emailText({ text: "  ", html: "<p>html words</p>" })).toBe("html words");
  });

  it("leaves prose that merely mentions From: or a single > alone", () => {
    const prose = "From: our side, the order is ready.\nPrices > 100 EUR need approval.\nThanks";

    expect(trimReply(prose)).toBe(prose);
  });

  it("drops images, styles and scripts, and keeps a link's address once", () => {
    const text = htmlToPlainText(
      '<style>p{}</style><script>alert(1)</script><p>See <a href="https://x.example/p">the plan</a> <img src="cid:1" alt="logo"></p>',
    );

    expect(text).toBe("See the plan [https://x.example/p]");
  });
});
