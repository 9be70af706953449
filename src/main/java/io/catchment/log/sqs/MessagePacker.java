package io.catchment.log.sqs;

import java.util.ArrayList;
import java.util.List;

/**
 * Packs records' zstd frames into one {@code SendMessageBatch}: up to 10 messages, each body at most
 * {@code maxBody} characters, and the bodies together at most {@code maxBody} too (SQS's limit on a batch's payload).
 * A record's members are taken all or none. Not thread-safe: one per batch being built.
 */
final class MessagePacker {
    static final int MAX_MESSAGES = 10;

    private final int maxBinary;
    private final int maxBody;
    private final List<List<byte[]>> messages = new ArrayList<>();
    private final List<Integer> sizes = new ArrayList<>();

    MessagePacker(int maxBinary, int maxBody) {
        this.maxBinary = maxBinary;
        this.maxBody = maxBody;
    }

    /** Adds a record's members if they all fit; false (and nothing added) if not. */
    boolean add(List<byte[]> members) {
        List<Integer> trial = new ArrayList<>(sizes);
        List<Integer> target = new ArrayList<>();
        for (byte[] m : members) {
            int last = trial.size() - 1;
            if (last >= 0 && trial.get(last) + m.length <= maxBinary) {
                trial.set(last, trial.get(last) + m.length);
                target.add(last);
            } else {
                if (trial.size() == MAX_MESSAGES || m.length > maxBinary) return false;
                trial.add(m.length);
                target.add(trial.size() - 1);
            }
        }
        int body = 0;
        for (int s : trial) body += SqsCodec.bodyLength(s);
        if (body > maxBody) return false;
        for (int i = 0; i < members.size(); i++) {
            int t = target.get(i);
            if (t == messages.size()) messages.add(new ArrayList<>());
            messages.get(t).add(members.get(i));
        }
        sizes.clear();
        sizes.addAll(trial);
        return true;
    }

    List<String> bodies() {
        return messages.stream().map(SqsCodec::body).toList();
    }
}
