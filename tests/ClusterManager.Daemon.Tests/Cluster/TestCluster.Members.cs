using System.Text.Json.Nodes;
using ClusterManager.Api.V1;

namespace ClusterManager.Daemon.Tests.Cluster;

/// <summary>Spare nodes for membership changes (daemon tests only).</summary>
internal sealed partial class TestCluster
{
    /// <summary>
    /// Writes <paramref name="members"/> + <paramref name="spares"/> node configurations and starts the members only.
    /// A member's node list names the members; a spare's names the members and itself and sets Join (as
    /// <c>hactl cluster node add</c> pushes it), so a started spare waits to be added instead of bootstrapping.
    /// </summary>
    public static TestCluster StartWithSpares(int members, int spares, Func<int, string, IReadOnlyDictionary<string, object>>? perNode = null)
    {
        var cluster = new TestCluster(members + spares, new Dictionary<string, object>(), perNode, null, null);
        for (var i = 0; i < cluster.Size; i++)
        {
            var root = JsonNode.Parse(File.ReadAllText(cluster.ConfigPath(i)))!;
            var section = root["Clusterd"]!.AsObject();
            var nodes = section["Nodes"]!.AsArray();
            section["Nodes"] = new JsonArray([.. nodes.Select((n, j) => (Node: n, Index: j)).Where(x => x.Index < members || x.Index == i).Select(x => x.Node!.DeepClone())]);
            if (i >= members)
            {
                section["Join"] = true;
            }

            File.WriteAllText(cluster.ConfigPath(i), root.ToJsonString());
        }

        for (var i = 0; i < members; i++)
        {
            cluster.StartNode(i);
        }

        return cluster;
    }

    public MembershipService.MembershipServiceClient Members(int i) => new(_channels[i]);

    /// <summary>Node <paramref name="i"/>'s Raft endpoint (from its configuration file).</summary>
    public string RaftEndpoint(int i) =>
        JsonNode.Parse(File.ReadAllText(ConfigPath(i)))!["Clusterd"]!["Nodes"]!.AsArray()
            .Single(n => n!["Name"]!.GetValue<string>() == NodeName(i))!["RaftEndpoint"]!.GetValue<string>();
}
