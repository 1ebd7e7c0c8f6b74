import { describe, expect, it } from "vitest";
import { dcFromAccountsServer, dcHosts } from "../../../../shared/domain/zoho-dc.js";

describe("Zoho data centres", () => {
  it("maps each DC to its accounts server, API domain and Desk host, including Canada's zohocloud", () => {
    expect(dcHosts("us")).toEqual({
      accountsServer: "https://accounts.zoho.com",
      apiDomain: "https://www.zohoapis.com",
      sandboxApiDomain: "https://sandbox.zohoapis.com",
      deskBase: "https://desk.zoho.com",
    });
    expect(dcHosts("au").apiDomain).toBe("https://www.zohoapis.com.au");
    expect(dcHosts("cn").accountsServer).toBe("https://accounts.zoho.com.cn");
    expect(dcHosts("ca").accountsServer).toBe("https://accounts.zohocloud.ca");
    expect(dcHosts("sa").apiDomain).toBe("https://www.zohoapis.sa");
  });

  it("reads the DC from Zoho's redirect values", () => {
    expect(dcFromAccountsServer("in")).toBe("in");
    expect(dcFromAccountsServer("https://accounts.zoho.eu")).toBe("eu");
    expect(dcFromAccountsServer("https://accounts.zohocloud.ca/")).toBe("ca");
    expect(dcFromAccountsServer("http://127.0.0.1:4010/accounts/us")).toBeUndefined();
  });
});
