import { InvalidArgumentError } from "commander";

/**
 * A commander argument parser for a whole number in `[min, max]`: anything else (`0`, `-3`, `1.5`,
 * `abc`) is refused before the command runs, with the allowed range in the message.
 *
 * @throws {InvalidArgumentError} which commander reports as `option '--rate <n>' argument '0' is invalid. …` (exit 1).
 */
export function wholeNumber(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    }
    return n;
  };
}
