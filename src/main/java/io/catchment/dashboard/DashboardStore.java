package io.catchment.dashboard;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Saved dashboards, kept in the store itself ({@code _dashboards}) so that they survive restarts and move with the
 * data. A dashboard's {@code spec} is its JSON text (tiles: reports and SQL charts), stored as it is. Thread-safe.
 */
public interface DashboardStore {
    record Dashboard(String id, String name, String spec, Instant updatedAt) {}

    /** Every dashboard, by name (specs included; there are few and they are small). */
    List<Dashboard> dashboards();

    Optional<Dashboard> dashboard(String id);

    /** Creates or replaces the dashboard {@code id}. */
    void saveDashboard(String id, String name, String spec);

    /** Deletes it; false when there was none. */
    boolean deleteDashboard(String id);
}
