using ClusterManager.Daemon.Store;
using ClusterManager.Model;
using ClusterManager.Model.Status;
using static ClusterManager.Daemon.Tests.Store.StoreApplierTests;

namespace ClusterManager.Daemon.Tests.Store;

/// <summary>The recorded resource status in the store: operation records, cleanup, snapshots for the engine.</summary>
public sealed class StoreStatusTests
{
    private static readonly ResourceHistory Dummy = new(new ResourceId("R1"), "ocf", "heartbeat", "Dummy", null, []);

    private static OperationRecord Op(string id, string operation, int rc, int callId) =>
        new(id, $"R1_{operation}_0", operation, callId, rc, 0, TimeSpan.Zero, 0, "1:2:0:abc", 1_700_000_000, 1_700_000_000, null, "digest", "n1", null, null, 12);

    [Test]
    public void Apply_ReplacesRecordWithSameId_WhenOperationRecordedTwice()
    {
        var state = StoreApplier.Apply(StoreState.Empty, Batch("r1", new RecordOperation(new NodeName("n1"), Dummy, Op("R1_last_0", "start", 1, 5))), 1).State;
        state = StoreApplier.Apply(state, Batch("r2", new RecordOperation(new NodeName("n1"), Dummy, Op("R1_last_0", "start", 0, 6))), 2).State;
        state = StoreApplier.Apply(state, Batch("r3", new RecordOperation(new NodeName("n1"), Dummy, Op("R1_monitor_10000", "monitor", 0, 7))), 3).State;

        var history = state.Status.Nodes.Single().Resources.Single();
        Assert.That(history.Operations.Select(o => (o.Id, o.RcCode, o.CallId)), Is.EqualTo(new[] { ("R1_last_0", 0, 6), ("R1_monitor_10000", 0, 7) }));
        Assert.That(state.Epoch, Is.EqualTo(3));
    }

    [Test]
    public void ApplyStatus_GivesTheSameStatus_AsRecordsAppliedOneByOne()
    {
        // Records of one batch are applied to an indexed copy of each node's history: the result must be what
        // applying each change alone gives, with other changes in between and nodes new to the status.
        ResourceHistory Rsc(string id) => Dummy with { Id = new ResourceId(id) };
        ConfigChange[] changes =
        [
            new RecordOperation(new NodeName("n1"), Rsc("A"), Op("A_last_0", "monitor", 7, 1)),
            new RecordOperation(new NodeName("n2"), Rsc("A"), Op("A_last_0", "monitor", 7, 2)),
            new RecordOperation(new NodeName("n1"), Rsc("B"), Op("B_last_0", "monitor", 7, 3)),
            new RecordOperation(new NodeName("n1"), Rsc("A"), Op("A_last_0", "start", 0, 4)),
            new SetTransientAttribute(new NodeName("n1"), "fail-count-B#start_0", "1"),
            new RecordOperation(new NodeName("n1"), Rsc("A") with { Type = "Stateful" }, Op("A_monitor_10000", "monitor", 0, 5)),
            new SetNodeState(new NodeName("n2"), true, "member", "member", ClearHistory: true),
            new RecordOperation(new NodeName("n2"), Rsc("B"), Op("B_last_0", "start", 0, 6)),
            new RecordOperation(new NodeName("n3"), Rsc("C"), Op("C_last_0", "monitor", 7, 7)),
        ];

        var together = StoreApplier.ApplyStatus(ClusterStatus.Empty, [.. changes]).Status!;
        var alone = changes.Aggregate(ClusterStatus.Empty, (status, change) => StoreApplier.ApplyStatus(status, [change]).Status!);

        Assert.That(Describe(together), Is.EqualTo(Describe(alone)));
        Assert.That(together.Nodes.Select(n => (n.Name.Value, n.Resources.Length)), Is.EqualTo(new[] { ("n1", 2), ("n2", 1), ("n3", 1) }));
        Assert.That(together.Nodes[0].Resources[0].Type, Is.EqualTo("Stateful"));
    }

    private static string Describe(ClusterStatus status) => string.Join("\n", status.Nodes.Select(n =>
        $"{n.Name} {n.Join} {string.Join(",", n.TransientAttributes)} | " +
        string.Join("; ", n.Resources.Select(r => $"{r.Id} {r.Type}: {string.Join(",", r.Operations.Select(o => $"{o.Id}/{o.Operation}/{o.CallId}"))}"))));

    [TestCase("n1", new[] { "n2" })]
    [TestCase(null, new string[0])]
    public void Apply_ForgetsHistory_WhenCleared(string? node, string[] nodesStillWithHistory)
    {
        var state = StoreApplier.Apply(StoreState.Empty, Batch(
            "r1",
            new RecordOperation(new NodeName("n1"), Dummy, Op("R1_last_0", "start", 0, 1)),
            new RecordOperation(new NodeName("n2"), Dummy, Op("R1_last_0", "stop", 0, 2))), 1).State;

        var cleared = StoreApplier.Apply(state, Batch("r2", new ClearResourceHistory(node is null ? null : new NodeName(node), new ResourceId("R1"))), 2).State;

        Assert.That(cleared.Status.Nodes.Where(n => n.Resources.Length > 0).Select(n => n.Name.Value), Is.EqualTo(nodesStillWithHistory));
    }

    [Test]
    public void Apply_SharesResourceIdAndAgentStrings_WhenNodesRecordTheSameResource()
    {
        // Separate string instances, as two decoded log entries have: the store keeps one of each.
        static ResourceHistory Fresh() => new(new ResourceId(new string("R1".AsSpan())), new string("ocf".AsSpan()),
            new string("heartbeat".AsSpan()), new string("Dummy".AsSpan()), null, []);

        var state = StoreApplier.Apply(StoreState.Empty, Batch(
            "r1",
            new RecordOperation(new NodeName("n1"), Fresh(), Op("R1_last_0", "monitor", 7, 1)),
            new RecordOperation(new NodeName("n2"), Fresh(), Op("R1_last_0", "monitor", 7, 2))), 1).State;

        var (h1, h2) = (state.Status.Nodes[0].Resources.Single(), state.Status.Nodes[1].Resources.Single());
        Assert.That(ReferenceEquals(h1.Id.Value, h2.Id.Value), Is.True, "resource id");
        Assert.That(ReferenceEquals(h1.Type, h2.Type) && ReferenceEquals(h1.Class, h2.Class) && ReferenceEquals(h1.Provider, h2.Provider), Is.True, "agent");
        Assert.That(h2.Id.Value, Is.EqualTo("R1"));
    }

    [Test]
    public void DecodeState_KeepsStatus_WhenEncoded()
    {
        var state = StoreApplier.Apply(StoreState.Empty, Batch("r1", new RecordOperation(new NodeName("n1"), Dummy, Op("R1_last_0", "start", 0, 5))), 1).State;

        var decoded = StoreCodec.DecodeState(StoreCodec.EncodeState(state));

        var op = decoded.Status.Nodes.Single().Resources.Single().Operations.Single();
        Assert.That((op.Id, op.Operation, op.RcCode, op.CallId, op.OnNode, op.ExecTimeMs), Is.EqualTo(("R1_last_0", "start", 0, 5, "n1", (long?)12)));
    }

    [Test]
    public void DecodeBatch_KeepsOperationRecord_WhenEncoded()
    {
        var batch = Batch("r1", new RecordOperation(new NodeName("n1"), Dummy, Op("R1_last_0", "start", 0, 5)), new ClearResourceHistory(null, new ResourceId("R2")));

        var decoded = StoreCodec.DecodeBatch(StoreCodec.EncodeBatch(batch));

        var record = (RecordOperation)decoded.Changes[0];
        Assert.That((record.Node.Value, record.Resource.Id.Value, record.Resource.Type, record.Operation.Id, record.Operation.TransitionKey), Is.EqualTo(("n1", "R1", "Dummy", "R1_last_0", "1:2:0:abc")));
        Assert.That(decoded.Changes[1], Is.EqualTo(new ClearResourceHistory(null, new ResourceId("R2"))));
    }

    [Test]
    public void ToClusterSnapshot_CarriesIndexStatusAndLiveQuorum()
    {
        var state = StoreApplier.Apply(StoreState.Empty, Batch("r1", new RecordOperation(new NodeName("n1"), Dummy, Op("R1_last_0", "start", 0, 5))), 42).State;
        var now = new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

        var snapshot = state.ToClusterSnapshot(haveQuorum: false, new NodeName("n2"), now);

        Assert.That(snapshot.Version, Is.EqualTo(42));
        Assert.That(snapshot.Status.HaveQuorum, Is.False);
        Assert.That(snapshot.Status.DesignatedController, Is.EqualTo(new NodeName("n2")));
        Assert.That(snapshot.Status.Nodes.Single().Resources.Single().Id, Is.EqualTo(new ResourceId("R1")));
        Assert.That(snapshot.Now, Is.EqualTo(now));
    }
}
