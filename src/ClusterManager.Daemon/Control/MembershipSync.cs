using System.Collections.Immutable;
using ClusterManager.Daemon.Store;
using ClusterManager.Model;
using ClusterManager.Model.Status;

namespace ClusterManager.Daemon.Control;

/// <summary>A member as the leader sees it through Raft.</summary>
/// <param name="Name">The node's name.</param>
/// <param name="Available">True when it answers; false when it does not; null when not known yet.</param>
/// <param name="UnavailableFor">How long it has not answered (zero when available or unknown).</param>
public sealed record MemberAvailability(NodeName Name, bool? Available, TimeSpan UnavailableFor);

/// <summary>
/// What the leader records about membership before it asks the policy engine anything (Pacemaker's controller
/// writes <c>node_state</c> the same way). Pure.
/// <list type="bullet">
/// <item>A member that answers and is not recorded online becomes online (join=member, expected=member).</item>
/// <item>A member recorded online that stops answering: with fencing, it is recorded lost but still expected
/// (the engine then sees it unclean and schedules its fencing; its history stays until the fence is confirmed);
/// without fencing, once it has been silent for the node-loss delay, it is recorded down and its history is
/// erased, so its resources are recovered elsewhere (the partitioned node stopped them itself on losing quorum).</item>
/// </list>
/// </summary>
public static class MembershipSync
{
    /// <summary>The node-state changes to record now (empty when the store already agrees).</summary>
    public static ImmutableArray<ConfigChange> Changes(
        ClusterStatus status, IEnumerable<MemberAvailability> members, bool fencingEnabled, TimeSpan nodeLossDelay)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(members);
        var changes = ImmutableArray.CreateBuilder<ConfigChange>();
        foreach (var member in members)
        {
            var recorded = status.Nodes.FirstOrDefault(n => n.Name == member.Name);
            var online = recorded is { InMembership: true, ControllerOnline: true };
            switch (member.Available)
            {
                case true when !online || recorded!.Join != "member" || recorded.Expected != "member":
                    changes.Add(new SetNodeState(member.Name, true, "member", "member", ClearHistory: false));
                    break;
                case false when online && fencingEnabled:
                    changes.Add(new SetNodeState(member.Name, false, "member", "member", ClearHistory: false));
                    break;
                case false when online && member.UnavailableFor >= nodeLossDelay:
                    changes.Add(Down(member.Name));
                    break;
                case false when !online && !fencingEnabled && recorded is { Expected: "member" }
                                && member.UnavailableFor >= nodeLossDelay:
                    // Lost while fencing was on, and fencing has been turned off since: nothing will confirm it.
                    changes.Add(Down(member.Name));
                    break;
            }
        }

        return changes.ToImmutable();
    }

    /// <summary>A node that is known to run nothing: fenced, or gone without fencing after the loss delay.</summary>
    public static SetNodeState Down(NodeName node) => new(node, false, "down", "down", ClearHistory: true);

    /// <summary>
    /// A node's clusterd restarted (new boot id): whatever its executor knew is gone, so its history is erased and
    /// the engine probes it afresh; the boot id is recorded as a transient attribute.
    /// </summary>
    public static ImmutableArray<ConfigChange> Rejoined(NodeName node, string bootId) =>
        [new SetNodeState(node, true, "member", "member", ClearHistory: true), new SetTransientAttribute(node, BootAttribute, bootId)];

    /// <summary>The transient attribute that holds the boot id of the node's running clusterd.</summary>
    public const string BootAttribute = "#cm-boot-id";
}
