using System.Collections.Immutable;
using ClusterManager.Model;
using ClusterManager.Policy;

namespace ClusterManager.Cli.Tests.Support;

/// <summary>Builders for hand-made cluster views and changes.</summary>
internal static class Views
{
    public static NodeView Online(string name) =>
        new(new NodeName(name), NodeCondition.Online, true, false, false, false, false, false);

    public static NodeView Offline(string name) =>
        new(new NodeName(name), NodeCondition.Offline, false, false, false, false, false, false);

    public static NodeView Unclean(string name, bool online = false) =>
        new(new NodeName(name), NodeCondition.Unclean, online, true, false, false, false, false);

    public static NodeView Standby(string name, bool activeResources = false) =>
        new(new NodeName(name), NodeCondition.Standby, true, false, true, false, false, activeResources);

    public static PrimitiveView Rsc(string id, string agent, ResourceRole role, params string[] nodes) =>
        new(new ResourceId(id), agent, role, [.. nodes.Select(n => new NodeName(n))],
            Failed: false, Managed: true, Blocked: false, Orphaned: false, FailureIgnored: false, Disabled: false,
            TargetRole: null, PendingTask: null);

    public static PrimitiveView Started(string id, string node, string agent = "ocf:heartbeat:apache") =>
        Rsc(id, agent, ResourceRole.Started, node);

    public static PrimitiveView Stopped(string id, string agent = "ocf:heartbeat:apache") =>
        Rsc(id, agent, ResourceRole.Stopped);

    public static GroupView Group(string id, params PrimitiveView[] members) =>
        new(new ResourceId(id), [.. members], Managed: true, Disabled: false);

    public static CloneView Clone(string id, params ResourceView[] instances) =>
        new(new ResourceId(id), Unique: false, Promotable: false, [.. instances], Managed: true, Disabled: false);

    public static ClusterView View(IEnumerable<NodeView> nodes, params ResourceView[] resources) =>
        new([.. nodes], [.. resources]);

    public static ResourceChange Change(
        ChangeKind kind, string subject, string? from, string? to,
        ResourceRole? fromRole = null, ResourceRole? toRole = null, string? reason = null, bool blocked = false) =>
        new(kind, subject, from is null ? null : new NodeName(from), to is null ? null : new NodeName(to),
            fromRole, toRole, reason, blocked);

    public static Transition Transition(ClusterView current, ClusterView projected, params ResourceChange[] changes) =>
        new(0, current, projected, [], [.. changes], [], [], []);

    /// <summary>Lines joined with "\n", with a final "\n".</summary>
    public static string Text(params string[] lines) => string.Join("\n", lines) + "\n";

    public static ImmutableArray<NodeView> Nodes(params NodeView[] nodes) => [.. nodes];
}
