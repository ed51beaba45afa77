using ClusterManager.Daemon.Options;
using ClusterManager.Daemon.Store;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;

namespace ClusterManager.Daemon.Control;

/// <summary>
/// The policy engine's input built from the replicated state: every member that runs resources is a node of the
/// configuration (the Raft node list is the cluster's node list, as corosync's nodelist is Pacemaker's), witnesses
/// are left out, and quorum and the designated controller are the caller's live facts. Pure.
/// </summary>
public static class EngineSnapshot
{
    /// <summary>
    /// The crm_feature_set of the Pacemaker whose semantics the engine follows (2.1.5). The engine reads an input
    /// without one as written by a Pacemaker older than 3.0.13, with one fail count per resource, and would ignore
    /// the per-operation fail counts the controller records (fail-count-RSC#monitor_10000).
    /// </summary>
    public const string FeatureSet = "3.16.1";

    public static ClusterSnapshot Build(StoreState state, ClusterdOptions options, bool haveQuorum, NodeName? designatedController, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        var configuration = state.Configuration;
        var members = MemberDirectory.Members(options.Nodes, state.Members);
        var witnesses = members.Where(n => n.Witness).Select(n => new NodeName(n.Name)).ToHashSet();
        var nodes = configuration.Nodes.Where(n => !witnesses.Contains(n.Name)).ToList();
        foreach (var member in members.Where(n => !n.Witness))
        {
            if (nodes.All(n => n.Name.Value != member.Name))
            {
                nodes.Add(new NodeConfig(member.Name, new NodeName(member.Name), NodeType.Member, null, [], []));
            }
        }

        LeavingInStandby(nodes, state);

        var snapshot = state.ToClusterSnapshot(haveQuorum, designatedController, now);
        return snapshot with
        {
            Configuration = configuration with { Nodes = [.. nodes] },
            Status = snapshot.Status with
            {
                Nodes = [.. snapshot.Status.Nodes.Where(n => !witnesses.Contains(n.Name))],
                FeatureSet = snapshot.Status.FeatureSet ?? FeatureSet,
            },
        };
    }

    /// <summary>
    /// A member being removed is in standby for the engine (an attribute set that outranks the user's), so its
    /// resources move away before it leaves, as they do when pcs stops a node it removes.
    /// </summary>
    private static void LeavingInStandby(List<NodeConfig> nodes, StoreState state)
    {
        foreach (var leaving in state.Members.Where(m => m.State == MemberState.Leaving))
        {
            var at = nodes.FindIndex(n => n.Name.Value == leaving.Name);
            if (at >= 0)
            {
                var set = new NvSet($"cm-leaving-{leaving.Name}", Score.InfinityValue, null, [new NvPair($"cm-leaving-{leaving.Name}-standby", "standby", "on")]);
                nodes[at] = nodes[at] with { Attributes = nodes[at].Attributes.Insert(0, set) };
            }
        }
    }
}
