using System.Collections.Immutable;
using ClusterManager.Model;

namespace ClusterManager.Agents;

/// <summary>
/// One operation for an agent: <paramref name="Action"/> on <paramref name="ResourceId"/> with the resource's
/// instance attributes (<paramref name="Parameters"/>) and meta attributes (<paramref name="Meta"/>).
/// <paramref name="Interval"/> is zero for one-shot operations (a monitor with interval zero is a probe);
/// <paramref name="Timeout"/> is enforced by the executor, not the agent.
/// </summary>
public sealed record AgentRequest(
    ResourceId ResourceId,
    ResourceAgentName Agent,
    string Action,
    TimeSpan Interval,
    TimeSpan Timeout,
    ImmutableSortedDictionary<string, string> Parameters,
    ImmutableSortedDictionary<string, string> Meta)
{
    /// <summary>A request with no meta attributes.</summary>
    public static AgentRequest Create(
        string resourceId, string agent, string action, TimeSpan timeout,
        IEnumerable<KeyValuePair<string, string>>? parameters = null, TimeSpan interval = default) =>
        new(new ResourceId(resourceId), ResourceAgentName.Parse(agent), action, interval, timeout,
            (parameters ?? []).ToImmutableSortedDictionary(StringComparer.Ordinal),
            ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal));

    /// <summary>True for a monitor with interval zero (Pacemaker's probe).</summary>
    public bool IsProbe => Action == AgentActions.Monitor && Interval == TimeSpan.Zero;

    /// <summary>True for a recurring operation (interval above zero).</summary>
    public bool IsRecurring => Interval > TimeSpan.Zero;

    /// <summary>The same request with another action (e.g. to stop what was started).</summary>
    public AgentRequest WithAction(string action, TimeSpan? interval = null) =>
        this with { Action = action, Interval = interval ?? TimeSpan.Zero };

    /// <summary>Pacemaker's operation key <c>RSC_ACTION_INTERVALMS</c>, e.g. <c>VirtualIP_monitor_10000</c>.</summary>
    public string OperationKey => $"{ResourceId.Value}_{Action}_{(long)Interval.TotalMilliseconds}";
}
