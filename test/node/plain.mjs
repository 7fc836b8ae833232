// The JSON form of Socket.IO arguments, shared by the test clients: binary values are
// {"$binary":"<base64>"} in what the clients print and in the arguments they are given.

// Convert a received value into something JSON can carry.
export function toPlain(value) {
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) {
    const buf = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return { $binary: buf.toString("base64") };
  }
  if (value instanceof ArrayBuffer) {
    return { $binary: Buffer.from(value).toString("base64") };
  }
  if (Array.isArray(value)) {
    return value.map(toPlain);
  }
  if (value !== null && typeof value === "object") {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = toPlain(v);
    return out;
  }
  return value === undefined ? null : value;
}

// Convert a value from a script into what gets sent: {"$binary": ...} becomes a Buffer.
export function fromPlain(value) {
  if (Array.isArray(value)) {
    return value.map(fromPlain);
  }
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === "$binary" && typeof value.$binary === "string") {
      return Buffer.from(value.$binary, "base64");
    }
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = fromPlain(v);
    return out;
  }
  return value;
}
