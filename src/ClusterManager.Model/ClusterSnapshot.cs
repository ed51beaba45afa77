using ClusterManager.Model.Configuration;
using ClusterManager.Model.Status;

namespace ClusterManager.Model;

/// <summary>
/// Everything the policy engine decides from: configuration, recorded status and the current time. The engine
/// is a pure function of this value. <see cref="Version"/> is the replicated store's index (0 when read from a file).
/// </summary>
public sealed record ClusterSnapshot(
    long Version,
    ClusterConfiguration Configuration,
    ClusterStatus Status,
    DateTimeOffset Now);
