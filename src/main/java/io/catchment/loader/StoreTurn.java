package io.catchment.loader;

import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Orders the loaders of one process that share a store, and with it the store's catalog (its tables and columns, which
 * preparing a batch extends and the batch's write creates): {@link KafkaLoaders} runs a {@link Loader} per partition
 * on one store. They behave as one loader would:
 *
 * <ul>
 *   <li>one batch is prepared at a time, holding the catalog, and is given the next ticket;
 *   <li>batches are written in ticket order, so a batch is written after every batch whose catalog it saw;
 *   <li>when the store refuses a batch for good, every batch after it (of any loader) is dropped, to be read again; the
 *       refusing loader takes its batch apart holding the catalog once nothing is in flight, then clears the refusal;
 *   <li>the catalog is re-read only holding it and with nothing in flight.
 * </ul>
 *
 * One loader alone has a turn of its own, and this is then the order it always had. Several loaders of one process
 * on one store without this raced: values were stored in other events' columns ({@code KafkaDeliveryIT},
 * {@code SqsDeliveryIT}).
 */
final class StoreTurn {
    private final ReentrantLock catalog = new ReentrantLock();
    private final TreeSet<Long> doneAhead = new TreeSet<>(); // finished out of order (a batch never handed over)
    private long issued; // the last ticket given
    private long finished; // every ticket up to this one is written or dropped
    private long refusedAt = Long.MAX_VALUE; // tickets after this are dropped until the refusal is cleared

    /** Takes the catalog, waiting while {@code running}; false when stopped first. */
    boolean lockCatalog(BooleanSupplier running) throws InterruptedException {
        while (running.getAsBoolean()) if (catalog.tryLock(100, TimeUnit.MILLISECONDS)) return true;
        return false;
    }

    void unlockCatalog() {
        catalog.unlock();
    }

    /** The next ticket, for a batch just prepared holding the catalog. */
    synchronized long issue() {
        if (!catalog.isHeldByCurrentThread()) throw new IllegalStateException("a ticket is given holding the catalog");
        return ++issued;
    }

    /** Whether a refused batch waits to be taken apart (nothing new is prepared meanwhile). */
    synchronized boolean refusalPending() {
        return refusedAt != Long.MAX_VALUE;
    }

    /** Waits until every ticket before {@code ticket} is finished. */
    synchronized void awaitTurn(long ticket) throws InterruptedException {
        while (finished < ticket - 1) wait();
    }

    /** Whether the batch of {@code ticket} (its turn come) is to be dropped: it follows a refused batch. */
    synchronized boolean dropped(long ticket) {
        return ticket > refusedAt;
    }

    /** The batch of {@code ticket} is written, dropped, or ({@code refused}) refused by the store for good. */
    synchronized void finish(long ticket, boolean refused) {
        if (refused) refusedAt = Math.min(refusedAt, ticket);
        doneAhead.add(ticket);
        while (!doneAhead.isEmpty() && doneAhead.first() == finished + 1) finished = doneAhead.pollFirst();
        notifyAll();
    }

    /** Waits until every ticket given is finished: nothing is in flight for the store. */
    synchronized void awaitIdle() throws InterruptedException {
        while (finished < issued) wait();
    }

    /** Ends a refusal (its batch taken apart, or its loader stopped), holding the catalog with nothing in flight. */
    synchronized void clearRefusal() {
        refusedAt = Long.MAX_VALUE;
    }
}
