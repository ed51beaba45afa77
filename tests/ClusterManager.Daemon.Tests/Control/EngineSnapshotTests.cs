using System.Collections.Immutable;
using ClusterManager.Daemon.Control;
using ClusterManager.Daemon.Options;
using ClusterManager.Daemon.Store;
using ClusterManager.Model;
using ClusterManager.Model.Status;

namespace ClusterManager.Daemon.Tests.Control;

public sealed class EngineSnapshotTests
{
    private static ClusterdOptions Options() => new()
    {
        NodeName = "n1",
        Nodes =
        [
            new NodeAddress { Name = "n1", RaftEndpoint = "127.0.0.1:1", ApiEndpoint = "127.0.0.1:2" },
            new NodeAddress { Name = "n2", RaftEndpoint = "127.0.0.1:3", ApiEndpoint = "127.0.0.1:4" },
            new NodeAddress { Name = "q", RaftEndpoint = "127.0.0.1:5", ApiEndpoint = "127.0.0.1:6", Witness = true },
        ],
    };

    [Test]
    public void Build_MakesEveryMemberButWitnessesANode_WhenConfigurationNamesNone()
    {
        var state = StoreState.Empty with
        {
            Index = 42,
            Status = ClusterStatus.Empty with
            {
                Nodes = [new NodeState("q", new NodeName("q"), true, true, "member", "member", ImmutableSortedDictionary<string, string>.Empty, [])],
            },
        };

        var snapshot = EngineSnapshot.Build(state, Options(), haveQuorum: false, new NodeName("n1"), DateTimeOffset.UnixEpoch);

        Assert.That(snapshot.Configuration.Nodes.Select(n => n.Name.Value), Is.EqualTo(new[] { "n1", "n2" }));
        Assert.That(snapshot.Status.Nodes, Is.Empty);
        Assert.That((snapshot.Version, snapshot.Status.HaveQuorum, snapshot.Status.DesignatedController?.Value), Is.EqualTo((42L, false, "n1")));
        Assert.That(snapshot.Status.FeatureSet, Is.EqualTo(EngineSnapshot.FeatureSet), "per-operation fail counts count");
    }
}
