using System.Collections.Immutable;
using ClusterManager.Daemon.Control;
using ClusterManager.Daemon.Options;
using ClusterManager.Daemon.Store;
using ClusterManager.Model;
using static ClusterManager.Daemon.Tests.Store.StoreApplierTests;

namespace ClusterManager.Daemon.Tests.Store;

/// <summary>The member records of hactl cluster node add|remove: apply, codec, the node directory, the engine's view.</summary>
public sealed class StoreMembersTests
{
    private static readonly NodeAddress[] Static =
    [
        new() { Name = "n1", RaftEndpoint = "127.0.0.1:1", ApiEndpoint = "127.0.0.1:2" },
        new() { Name = "n2", RaftEndpoint = "127.0.0.1:3", ApiEndpoint = "127.0.0.1:4" },
    ];

    private static SetMember Member(string name, MemberState state, int port = 7) =>
        new(new MemberRecord(name, $"127.0.0.1:{port}", $"127.0.0.1:{port + 1}", state));

    [Test]
    public void Apply_RecordsAndReplacesMemberByName_WithHistoryLine()
    {
        var state = StoreApplier.Apply(StoreState.Empty, Batch("r1", Member("n3", MemberState.Joining)), 1).State;

        var outcome = StoreApplier.Apply(state, Batch("r2", Member("n3", MemberState.Member)), 2);

        Assert.That(outcome, Is.TypeOf<Applied>());
        Assert.That(outcome.State.Members, Is.EqualTo(new[] { Member("n3", MemberState.Member).Member }));
        Assert.That(outcome.State.History.Select(h => h.Changes.Single()),
            Is.EqualTo(new[] { "member n3 joining (raft 127.0.0.1:7, api 127.0.0.1:8)", "member n3 added (raft 127.0.0.1:7, api 127.0.0.1:8)" }));
    }

    [Test]
    public void Apply_ErasesNodeAttributesAndStatus_WhenMemberRemoved()
    {
        var node = new NodeName("n2");
        var state = StoreApplier.Apply(StoreState.Empty, Batch("r1", new SetNodeAttribute(node, "standby", "on"), new SetNodeAttribute(new NodeName("n1"), "rack", "1")), 1).State;
        state = StoreApplier.Apply(state, Batch("r2", new SetNodeState(node, true, "member", "member", ClearHistory: false)) with { Author = "controller@n1" }, 2).State;

        state = StoreApplier.Apply(state, Batch("r3", Member("n2", MemberState.Removed, 3)), 3).State;

        Assert.That(state.Configuration.Nodes.Select(n => n.Name.Value), Is.EqualTo(new[] { "n1" }));
        Assert.That(state.Status.Nodes, Is.Empty);
        Assert.That(state.Members.Single().State, Is.EqualTo(MemberState.Removed));
    }

    [TestCase("n 3", "127.0.0.1:7", "is empty or contains spaces")]
    [TestCase("n3", "node3.example:7", "raft endpoint 'node3.example:7' is not IP:port")]
    [TestCase("n3", "127.0.0.1", "raft endpoint '127.0.0.1' is not IP:port")]
    public void Apply_RefusesMember_WhenNameOrEndpointInvalid(string name, string raft, string error)
    {
        var outcome = StoreApplier.Apply(StoreState.Empty, Batch("r1", new SetMember(new MemberRecord(name, raft, "127.0.0.1:8", MemberState.Joining))), 1);

        Assert.That(outcome, Is.TypeOf<Rejected>());
        Assert.That(((Rejected)outcome).Errors.Single(), Does.Contain(error));
    }

    [Test]
    public void Codec_RoundTripsMembers_InBatchAndSnapshot()
    {
        var batch = Batch("r1", Member("n3", MemberState.Leaving));
        var state = StoreApplier.Apply(StoreState.Empty, batch, 1).State;

        var decodedBatch = StoreCodec.DecodeBatch(StoreCodec.EncodeBatch(batch));
        var decodedState = StoreCodec.DecodeState(StoreCodec.EncodeState(state));

        Assert.That(decodedBatch.Changes.Single(), Is.EqualTo(batch.Changes.Single()));
        Assert.That(decodedState.Members, Is.EqualTo(state.Members));
    }

    [Test]
    public void Directory_OverlaysStaticListWithRecords()
    {
        ImmutableList<MemberRecord> records =
        [
            Member("n2", MemberState.Removed, 3).Member,
            Member("n3", MemberState.Member, 9).Member,
            Member("n4", MemberState.Joining, 11).Member,
        ];

        var entries = MemberDirectory.Entries(Static, records);
        var members = MemberDirectory.Members(Static, records);

        Assert.That(entries.Select(e => (e.Node.Name, e.State)),
            Is.EqualTo(new[] { ("n1", MemberState.Member), ("n2", MemberState.Removed), ("n3", MemberState.Member), ("n4", MemberState.Joining) }));
        Assert.That(members.Select(n => (n.Name, n.ApiEndpoint)), Is.EqualTo(new[] { ("n1", "127.0.0.1:2"), ("n3", "127.0.0.1:10") }));
        Assert.That(MemberDirectory.ByRaftEndPoint(entries, System.Net.IPEndPoint.Parse("127.0.0.1:11"))?.Node.Name, Is.EqualTo("n4"));
    }

    [Test]
    public void EngineSnapshot_PutsLeavingMemberInStandby_AndLeavesOutJoiningAndRemovedOnes()
    {
        var options = new ClusterdOptions { NodeName = "n1", Nodes = [.. Static] };
        var state = StoreState.Empty with
        {
            Members = [Member("n2", MemberState.Leaving, 3).Member, Member("n3", MemberState.Joining, 9).Member],
        };

        var snapshot = EngineSnapshot.Build(state, options, haveQuorum: true, new NodeName("n1"), DateTimeOffset.UnixEpoch);
        var removed = EngineSnapshot.Build(state with { Members = [Member("n2", MemberState.Removed, 3).Member] }, options, true, new NodeName("n1"), DateTimeOffset.UnixEpoch);

        Assert.That(snapshot.Configuration.Nodes.Select(n => n.Name.Value), Is.EqualTo(new[] { "n1", "n2" }));
        Assert.That(snapshot.Configuration.Nodes[1].Attributes.SelectMany(s => s.Pairs).Select(p => (p.Name, p.Value)), Is.EqualTo(new[] { ("standby", (string?)"on") }));
        Assert.That(snapshot.Configuration.Nodes[0].Attributes, Is.Empty);
        Assert.That(removed.Configuration.Nodes.Select(n => n.Name.Value), Is.EqualTo(new[] { "n1" }));
    }
}
