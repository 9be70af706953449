// Regenerates the damaged-segment fixtures beside it: cd src/test/resources/log && jshell make-fixtures.jsh
// (torn-tail and corrupt-tail are older and hand-made; this script leaves them alone.)
import java.io.*;
import java.nio.*;
import java.nio.file.*;
import java.util.zip.CRC32C;

byte[] record(int i) {
  byte[] p = ("{\"id\":\"e" + i + "\",\"type\":\"track\",\"event\":\"Fixture\"}\n").getBytes();
  CRC32C c = new CRC32C();
  c.update(p);
  return ByteBuffer.allocate(8 + p.length).putInt(p.length).putInt((int) c.getValue()).put(p).array();
}

byte[] segment(int version, long base, int records) {
  ByteArrayOutputStream out = new ByteArrayOutputStream();
  out.writeBytes(new byte[] {'C', 'A', 'T', 'L', 'O', 'G', 0, (byte) version});
  out.writeBytes(ByteBuffer.allocate(8).putLong(base).array());
  for (int i = 0; i < records; i++) out.writeBytes(record(i));
  return out.toByteArray();
}

void write(String fixture, byte[] bytes) throws IOException {
  Files.createDirectories(Path.of(fixture));
  Files.write(Path.of(fixture, "00000000000000000000.log"), bytes);
}

byte[] s = segment(1, 0, 3);
java.util.Arrays.fill(s, 0, 8, (byte) 0); // a zeroed magic
write("bad-magic", s);
write("future-version", segment(2, 0, 3));
write("base-offset-mismatch", segment(1, 42, 3));
s = segment(1, 0, 4);
s[16 + 53 + 8 + 10] ^= 0x20; // a bit flip in the payload of e1; e2 and e3 stay valid
write("mid-segment-crc", s);
s = segment(1, 0, 4);
ByteBuffer.wrap(s).putInt(16 + 53, 0x7f000000); // an impossible length for e1; e2 and e3 stay valid
write("mid-segment-length", s);
write("short-header", new byte[] {'C', 'A', 'T', 'L', 'O'});
/exit
