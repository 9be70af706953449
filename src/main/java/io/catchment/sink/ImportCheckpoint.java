package io.catchment.sink;

/**
 * Where an import job stands in one member of its sources (an NDJSON file, unpacked): the next line to read and the
 * member's totals so far, {@code events} (lines handed to the store as events, duplicates included) and
 * {@code deadLetters} (lines that could not be mapped to an event). Absolute, not increments: writing the same
 * checkpoint twice changes nothing. A {@link WriteBatch} commits its checkpoints with its rows; {@link
 * Sink#importCheckpoint} reads the last one back, so a re-run of the job resumes where the last write left it.
 */
public record ImportCheckpoint(String jobId, String member, long nextLine, long events, long deadLetters) {}
