package io.catchment.sources;

/**
 * Decompression of lz-string's {@code compressToBase64} output (the {@code compression=lz64} that older posthog-js
 * sends). A direct port of lz-string 1.4's {@code _decompress}; returns null for input that is not lz-string.
 */
final class LzString {
  private static final String KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";

  private LzString() {}

  static String decompressFromBase64(String input) {
    if (input == null || input.isEmpty()) return input == null ? null : "";
    String in = input.replace(' ', '+').replaceAll("[\r\n]", "");
    for (int i = 0; i < in.length(); i++) {
      if (KEY.indexOf(in.charAt(i)) < 0) return null;
    }
    return decompress(in.length(), 32, i -> KEY.indexOf(in.charAt(i)));
  }

  private interface Next {
    int at(int index);
  }

  private static String decompress(int length, int resetValue, Next next) {
    java.util.List<String> dictionary = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) dictionary.add(String.valueOf((char) i));
    int enlargeIn = 4;
    int numBits = 3;
    StringBuilder result = new StringBuilder();
    int[] val = {next.at(0)};
    int[] position = {resetValue};
    int[] index = {1};
    java.util.function.IntUnaryOperator bits = maxPow -> {
      int b = 0;
      int power = 1;
      while (power != maxPow) {
        int resb = val[0] & position[0];
        position[0] >>= 1;
        if (position[0] == 0) {
          position[0] = resetValue;
          val[0] = index[0] < length ? next.at(index[0]++) : 0;
        }
        b |= (resb > 0 ? 1 : 0) * power;
        power <<= 1;
      }
      return b;
    };
    String c;
    switch (bits.applyAsInt(4)) {
      case 0 -> c = String.valueOf((char) bits.applyAsInt(1 << 8));
      case 1 -> c = String.valueOf((char) bits.applyAsInt(1 << 16));
      case 2 -> {
        return "";
      }
      default -> {
        return null;
      }
    }
    dictionary.add(c);
    String w = c;
    result.append(c);
    while (true) {
      if (index[0] > length + 1) return null;
      int cc = bits.applyAsInt(1 << numBits);
      switch (cc) {
        case 0 -> {
          dictionary.add(String.valueOf((char) bits.applyAsInt(1 << 8)));
          cc = dictionary.size() - 1;
          enlargeIn--;
        }
        case 1 -> {
          dictionary.add(String.valueOf((char) bits.applyAsInt(1 << 16)));
          cc = dictionary.size() - 1;
          enlargeIn--;
        }
        case 2 -> {
          return result.toString();
        }
        default -> { }
      }
      if (enlargeIn == 0) {
        enlargeIn = 1 << numBits;
        numBits++;
      }
      String entry;
      if (cc < dictionary.size()) {
        entry = dictionary.get(cc);
      } else if (cc == dictionary.size()) {
        entry = w + w.charAt(0);
      } else {
        return null;
      }
      result.append(entry);
      dictionary.add(w + entry.charAt(0));
      enlargeIn--;
      w = entry;
      if (enlargeIn == 0) {
        enlargeIn = 1 << numBits;
        numBits++;
      }
    }
  }
}
