using System.Collections.Immutable;
using System.Globalization;
using ClusterManager.Daemon.Store;
using ClusterManager.Model;
using ClusterManager.Model.Status;

namespace ClusterManager.Daemon.Control;

/// <summary>One operation to run on a node's executor: what the controller sends, built from a planned action.</summary>
public sealed record OperationRequest(
    string Resource,
    string HistoryId,
    string Agent,
    string Action,
    TimeSpan Interval,
    TimeSpan Timeout,
    ImmutableSortedDictionary<string, string> Parameters,
    ImmutableSortedDictionary<string, string> Meta,
    int ExpectedRc,
    string Digest,
    string TransitionKey)
{
    /// <summary>Pacemaker's operation key, <c>RSC_ACTION_INTERVALMS</c> of the history id.</summary>
    public string OperationKey => $"{HistoryId}_{Action}_{(long)Interval.TotalMilliseconds}";
}

/// <summary>A completed operation as a node reports it (the request plus what the agent answered).</summary>
public sealed record ExecutedOperation(
    NodeName Node,
    OperationRequest Request,
    int CallId,
    int Rc,
    int ExecStatus,
    string? ExitReason,
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    string Output)
{
    /// <summary>
    /// <c>op-force-restart</c>: for a one-off operation of an agent that can reload, the parameters a reload cannot
    /// apply (<c>"  a b  "</c>); null when the agent cannot reload.
    /// </summary>
    public string? ForceRestart { get; init; }

    /// <summary><c>op-restart-digest</c>: the digest of the <see cref="ForceRestart"/> parameters the operation had.</summary>
    public string? RestartDigest { get; init; }

    /// <summary>
    /// Whether the result is a failure the cluster reacts to: the execution did not complete, or the agent answered
    /// something else than expected. A probe that finds the resource running (0, 8) or stopped (7) is information,
    /// not a failure.
    /// </summary>
    public bool Failed
    {
        get
        {
            if (ExecStatus != 0)
            {
                return true;
            }

            var probe = Request.Action == "monitor" && Request.Interval == TimeSpan.Zero;
            return probe ? Rc is not (0 or 7 or 8) : Rc != Request.ExpectedRc;
        }
    }
}

/// <summary>
/// Turns an executed operation into store changes the way Pacemaker's controller updates the CIB: the operation
/// history (<c>RSC_last_0</c> for one-off operations, <c>RSC_monitor_INTERVAL</c> for recurring ones, and
/// <c>RSC_last_failure_0</c> for a failure) and, for a failure, the <c>fail-count-RSC#OP_INTERVAL</c> and
/// <c>last-failure-RSC#OP_INTERVAL</c> transient node attributes. Pure.
/// </summary>
public static class OperationRecords
{
    /// <summary>
    /// The action of a report that carries a transient node attribute an agent set (resource = the attribute's name,
    /// parameter <c>value</c> = its value, none to remove it) rather than an operation result.
    /// </summary>
    public const string TransientAttributeAction = "set-transient-attribute";

    /// <summary>The report of transient attribute <paramref name="name"/> = <paramref name="value"/> on <paramref name="node"/>.</summary>
    public static ExecutedOperation AttributeReport(NodeName node, string name, string? value, DateTimeOffset now)
    {
        var parameters = value is null
            ? ImmutableSortedDictionary<string, string>.Empty
            : ImmutableSortedDictionary<string, string>.Empty.Add("value", value);
        var request = new OperationRequest(name, name, "attribute", TransientAttributeAction, TimeSpan.Zero, TimeSpan.FromSeconds(1),
            parameters, ImmutableSortedDictionary<string, string>.Empty, 0, string.Empty, string.Empty);
        return new ExecutedOperation(node, request, 0, 0, 0, null, now, TimeSpan.Zero, string.Empty);
    }

    /// <summary>A migrate_to's or migrate_from's source node (its migrate_source meta attribute), recorded with the result as Pacemaker does.</summary>
    public static string? MigrateSource(OperationRequest request) => MigrationNode(request, "migrate_source");

    /// <summary>A migrate_to's or migrate_from's target node (its migrate_target meta attribute).</summary>
    public static string? MigrateTarget(OperationRequest request) => MigrationNode(request, "migrate_target");

    private static string? MigrationNode(OperationRequest request, string name)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Action is "migrate_to" or "migrate_from" ? request.Meta.GetValueOrDefault(name) : null;
    }

    /// <summary>The store changes that record <paramref name="op"/>.</summary>
    /// <param name="op">The result.</param>
    /// <param name="node">The node's recorded state (for the current fail count); null when it has none yet.</param>
    /// <param name="startFailureIsFatal">Pacemaker's <c>start-failure-is-fatal</c> (a failed start bans the node).</param>
    public static ImmutableArray<ConfigChange> ChangesFor(ExecutedOperation op, NodeState? node, bool startFailureIsFatal)
    {
        ArgumentNullException.ThrowIfNull(op);
        var request = op.Request;
        if (request.Action == TransientAttributeAction)
        {
            return [new SetTransientAttribute(op.Node, request.Resource, request.Parameters.GetValueOrDefault("value"))];
        }

        var (cls, provider, type) = SplitAgent(request.Agent);
        var history = new ResourceHistory(new ResourceId(request.HistoryId), cls, provider, type, null, []);
        var intervalMs = (long)request.Interval.TotalMilliseconds;
        var started = op.StartedAt.ToUnixTimeSeconds();
        var id = intervalMs > 0 ? request.OperationKey : $"{request.HistoryId}_last_0";

        // A reload is recorded as the start it amounts to (with the start's digest, which the request carries), or,
        // when it did not complete, as a monitor: as Pacemaker's controller records it, so the history says what runs.
        var task = request.Action is Agents.AgentActions.ReloadAgent or Agents.AgentActions.Reload ? op.ExecStatus == 0 ? "start" : "monitor" : request.Action;
        var operationKey = task == request.Action ? request.OperationKey : $"{request.HistoryId}_{task}_{intervalMs}";
        var record = new OperationRecord(
            id, operationKey, task, op.CallId, op.Rc, op.ExecStatus, request.Interval, request.ExpectedRc,
            request.TransitionKey, started, started, op.ExitReason, request.Digest, op.Node.Value, MigrateSource(request), MigrateTarget(request),
            (long)op.Duration.TotalMilliseconds)
        {
            ForceRestart = op.RestartDigest is null ? null : op.ForceRestart ?? string.Empty,
            RestartDigest = op.RestartDigest,
        };
        var changes = ImmutableArray.CreateBuilder<ConfigChange>();
        changes.Add(new RecordOperation(op.Node, history, record));
        if (!op.Failed)
        {
            return changes.ToImmutable();
        }

        changes.Add(new RecordOperation(op.Node, history, record with { Id = $"{request.HistoryId}_last_failure_0" }));
        var suffix = $"{request.HistoryId}#{task}_{intervalMs}";
        var failCountName = $"fail-count-{suffix}";
        var current = node?.TransientAttributes.GetValueOrDefault(failCountName) is { } text ? Score.Parse(text) : Score.Zero;
        var next = task == "start" && startFailureIsFatal ? Score.Infinity : current + new Score(1);
        changes.Add(new SetTransientAttribute(op.Node, failCountName, next.ToString()));
        changes.Add(new SetTransientAttribute(op.Node, $"last-failure-{suffix}", started.ToString(CultureInfo.InvariantCulture)));
        return changes.ToImmutable();
    }

    /// <summary>
    /// The changes that clear a resource's fail counts on a node (Pacemaker's clear_failcount action): every
    /// fail-count and last-failure attribute of the history id.
    /// </summary>
    public static ImmutableArray<ConfigChange> ClearFailCount(NodeName node, NodeState? state, string historyId) =>
        state is null
            ? []
            : [.. state.TransientAttributes.Keys
                .Where(k => k.StartsWith($"fail-count-{historyId}#", StringComparison.Ordinal)
                            || k.StartsWith($"last-failure-{historyId}#", StringComparison.Ordinal))
                .Select(k => new SetTransientAttribute(node, k, null))];

    /// <summary>Splits <c>class:provider:type</c> or <c>class:type</c>.</summary>
    public static (string Class, string? Provider, string Type) SplitAgent(string agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var parts = agent.Split(':');
        return parts.Length switch
        {
            3 => (parts[0], parts[1], parts[2]),
            2 => (parts[0], null, parts[1]),
            _ => throw new FormatException($"agent '{agent}' is not class:provider:type or class:type"),
        };
    }
}
