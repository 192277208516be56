import { describe, expect, it } from "vitest";
import en from "./en.json";
import zhCN from "./zh-CN.json";

function keys(value: unknown, prefix = ""): string[] {
  if (typeof value !== "object" || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, inner]) =>
    keys(inner, prefix ? `${prefix}.${key}` : key),
  );
}

describe("translations", () => {
  it("have the same keys in English and Chinese, none empty", () => {
    expect(keys(zhCN).sort()).toEqual(keys(en).sort());
    for (const key of keys(zhCN)) {
      const value = key
        .split(".")
        .reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], zhCN);
      expect(String(value).trim(), key).not.toBe("");
    }
  });
});
