// Tests read JSON answers loosely typed: their shape is what the assertions check.
declare global {
  interface Response {
    json(): Promise<any>;
  }
}
export {};
