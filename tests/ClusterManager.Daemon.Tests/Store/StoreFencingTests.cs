using ClusterManager.Daemon.Store;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;
using static ClusterManager.Daemon.Tests.Store.StoreApplierTests;

namespace ClusterManager.Daemon.Tests.Store;

/// <summary>The fencing topology and the fence history in the store: validation, history lines, codec round trips.</summary>
public sealed class StoreFencingTests
{
    private static readonly DateTimeOffset T1 = new(2026, 11, 24, 11, 0, 0, TimeSpan.Zero);

    private static PrimitiveConfig Device(string id) =>
        new(new ResourceId(id), "stonith", null, "fence_cmtest", [NvSet.Of($"{id}-instance_attributes", ("pcmk_host_list", "n1 n2"))], [], [], []);

    private static FencingLevel NodeLevel(int index, string node, params string[] devices) =>
        new("", index, new NodeName(node), null, null, null, [.. devices.Select(d => new ResourceId(d))]);

    private static FenceEvent Fenced(string target, bool succeeded, string? by = "n1") =>
        new(new NodeName(target), "reboot", succeeded, by, "n1", "controller", succeeded ? ["f1"] : [], T1, succeeded ? "fenced by f1" : "BMC unreachable");

    /// <summary>Two fence devices (f1, f2), a resource (VirtualIP) and nodes n1, n2 recorded online.</summary>
    private static StoreState WithDevices()
    {
        var state = ApplyOk(StoreState.Empty, Batch("setup",
            new PutResource(Device("f1"), WriteMode.Create),
            new PutResource(Device("f2"), WriteMode.Create),
            new PutResource(Primitive("VirtualIP"), WriteMode.Create)), 1);
        return ApplyOk(state, new ChangeBatch("nodes", "controller@n1", T1, null,
            [new SetNodeState(new NodeName("n1"), true, "member", "member", false), new SetNodeState(new NodeName("n2"), true, "member", "member", false)]), 2);
    }

    private static StoreState ApplyOk(StoreState state, ChangeBatch batch, long index)
    {
        var outcome = StoreApplier.Apply(state, batch, index);
        Assert.That(outcome, Is.TypeOf<Applied>(), () => outcome is Rejected r ? string.Join("; ", r.Errors) : outcome.ToString());
        return outcome.State;
    }

    private static string Refused(StoreState state, params ConfigChange[] changes)
    {
        var outcome = StoreApplier.Apply(state, Batch("bad", changes), 9);
        Assert.That(outcome, Is.TypeOf<Rejected>());
        return string.Join("; ", ((Rejected)outcome).Errors);
    }

    [Test]
    public void Apply_AddsLevelWithPcsId_WhenValid()
    {
        var state = ApplyOk(WithDevices(), Batch("l1", new AddFencingLevel(NodeLevel(1, "n1", "f1", "f2"))), 3);

        var level = state.Configuration.FencingTopology.Single();
        Assert.That(level.Id, Is.EqualTo("fl-n1-1"));
        Assert.That(level.Devices.Select(d => d.Value), Is.EqualTo(new[] { "f1", "f2" }));
        Assert.That(state.History[^1].Changes, Is.EqualTo(new[] { "add fencing level 1 for n1: f1,f2" }));
    }

    [Test]
    public void Apply_AddsPatternAndAttributeLevels_WhenTargetsAreNotNodes()
    {
        var state = ApplyOk(WithDevices(), Batch("l1",
            new AddFencingLevel(new FencingLevel("", 1, null, "n[0-9]+", null, null, [new ResourceId("f1")])),
            new AddFencingLevel(new FencingLevel("", 2, null, null, "rack", "r1", [new ResourceId("f2")]))), 3);

        Assert.That(state.Configuration.FencingTopology.Select(l => l.Id), Is.EqualTo(new[] { "fl-regexp_n_0-9__-1", "fl-attrib_rack_r1-2" }));
    }

    [TestCase(0, "not between 1 and 9")]
    [TestCase(10, "not between 1 and 9")]
    public void Apply_RefusesLevel_WhenIndexOutOfRange(int index, string message)
    {
        Assert.That(Refused(WithDevices(), new AddFencingLevel(NodeLevel(index, "n1", "f1"))), Does.Contain(message));
    }

    [Test]
    public void Apply_RefusesLevelNamingTheDevice_WhenDeviceMissing()
    {
        Assert.That(Refused(WithDevices(), new AddFencingLevel(NodeLevel(1, "n1", "f1", "nope"))), Does.Contain("stonith device 'nope' does not exist"));
    }

    [Test]
    public void Apply_RefusesLevel_WhenDeviceIsNotStonith()
    {
        Assert.That(Refused(WithDevices(), new AddFencingLevel(NodeLevel(1, "n1", "VirtualIP"))), Does.Contain("'VirtualIP' is not a stonith device"));
    }

    [Test]
    public void Apply_RefusesDuplicateNamingTheExistingLevel_WhenTargetHasThatIndex()
    {
        var state = ApplyOk(WithDevices(), Batch("l1", new AddFencingLevel(NodeLevel(1, "n1", "f1"))), 3);

        var error = Refused(state, new AddFencingLevel(NodeLevel(1, "N1", "f2")));

        Assert.That(error, Does.Contain("fencing level 1 for N1 already exists (fl-n1-1, device(s) 'f1')"));
    }

    [Test]
    public void Apply_AllowsSameIndex_WhenTargetsDiffer()
    {
        var state = ApplyOk(WithDevices(), Batch("l1", new AddFencingLevel(NodeLevel(1, "n1", "f1")), new AddFencingLevel(NodeLevel(1, "n2", "f2"))), 3);

        Assert.That(state.Configuration.FencingTopology.Select(l => l.Id), Is.EqualTo(new[] { "fl-n1-1", "fl-n2-1" }));
    }

    [TestCase("(", "is not a regular expression")]
    [TestCase("", "exactly one target")]
    public void Apply_RefusesLevel_WhenPatternInvalid(string pattern, string message)
    {
        var level = new FencingLevel("", 1, null, pattern.Length == 0 ? null : pattern, null, null, [new ResourceId("f1")]);

        Assert.That(Refused(WithDevices(), new AddFencingLevel(level)), Does.Contain(message));
    }

    [Test]
    public void Apply_RefusesLevel_WhenTwoTargetFormsGiven()
    {
        var level = new FencingLevel("", 1, new NodeName("n1"), "n.*", null, null, [new ResourceId("f1")]);

        Assert.That(Refused(WithDevices(), new AddFencingLevel(level)), Does.Contain("exactly one target"));
    }

    [Test]
    public void Apply_RefusesDeletingTheDevice_WhenALevelNamesIt()
    {
        var state = ApplyOk(WithDevices(), Batch("l1", new AddFencingLevel(NodeLevel(1, "n1", "f1"))), 3);

        Assert.That(Refused(state, new DeleteResource(new ResourceId("f1"))), Does.Contain("device 'f1' names no resource"));
    }

    [Test]
    public void Apply_DeletesLevel_WhenIdExists()
    {
        var state = ApplyOk(WithDevices(), Batch("l1", new AddFencingLevel(NodeLevel(1, "n1", "f1")), new AddFencingLevel(NodeLevel(2, "n1", "f2"))), 3);

        state = ApplyOk(state, Batch("d1", new DeleteFencingLevel("fl-n1-1")), 4);

        Assert.That(state.Configuration.FencingTopology.Select(l => l.Id), Is.EqualTo(new[] { "fl-n1-2" }));
        Assert.That(Refused(state, new DeleteFencingLevel("fl-n1-1")), Does.Contain("fencing level 'fl-n1-1' does not exist"));
    }

    [Test]
    public void Apply_RecordsNodeDownAndKeepsEvent_WhenFenceSucceeded()
    {
        var state = ApplyOk(WithDevices(), new ChangeBatch("f", "controller@n1", T1, null, [new RecordFence(Fenced("n2", true))]), 3);

        var n2 = state.Status.Nodes.Single(n => n.Name.Value == "n2");
        Assert.That((n2.InMembership, n2.Join, n2.Expected), Is.EqualTo((false, "down", "down")));
        Assert.That(state.FenceHistory.Single().Devices, Is.EqualTo(new[] { "f1" }));
        Assert.That(state.Epoch, Is.EqualTo(1), "the controller's record is status only: no new epoch");
    }

    [Test]
    public void Apply_MarksNodeUnfencedAndKeepsItRunning_WhenUnfenceSucceeded()
    {
        var unfence = Fenced("n2", true) with { Action = "on" };

        var state = ApplyOk(WithDevices(), new ChangeBatch("u", "controller@n1", T1, null, [new RecordFence(unfence)]), 3);

        var n2 = state.Status.Nodes.Single(n => n.Name.Value == "n2");
        Assert.That(n2.InMembership, Is.True);
        Assert.That(n2.TransientAttributes.GetValueOrDefault("#node-unfenced"), Is.EqualTo(T1.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public void Apply_ClearsUnfencedMark_WhenNodeIsFencedAfterwards()
    {
        var state = ApplyOk(WithDevices(), new ChangeBatch("u", "controller@n1", T1, null, [new RecordFence(Fenced("n2", true) with { Action = "on" })]), 3);

        state = ApplyOk(state, new ChangeBatch("f", "controller@n1", T1, null, [new RecordFence(Fenced("n2", true))]), 4);

        Assert.That(state.Status.Nodes.Single(n => n.Name.Value == "n2").TransientAttributes.ContainsKey("#node-unfenced"), Is.False);
    }

    [Test]
    public void Apply_KeepsNodeStateButRecordsEvent_WhenFenceFailed()
    {
        var state = ApplyOk(WithDevices(), new ChangeBatch("f", "controller@n1", T1, null, [new RecordFence(Fenced("n2", false))]), 3);

        Assert.That(state.Status.Nodes.Single(n => n.Name.Value == "n2").InMembership, Is.True);
        Assert.That(state.FenceHistory.Single().Succeeded, Is.False);
    }

    [Test]
    public void Apply_RefusesManualConfirmation_WhenNodeNeverKnown()
    {
        var manual = Fenced("n9", true, FenceEvent.ManualDelegate);

        Assert.That(Refused(WithDevices(), new RecordFence(manual)), Does.Contain("node 'n9' is not known"));
    }

    [Test]
    public void Apply_ConfirmsNodeDownWithHistoryLine_WhenConfirmedByOperator()
    {
        var state = ApplyOk(WithDevices(), Batch("c", new RecordFence(Fenced("n2", true, FenceEvent.ManualDelegate))), 3);

        Assert.That(state.Status.Nodes.Single(n => n.Name.Value == "n2").Join, Is.EqualTo("down"));
        Assert.That(state.History[^1].Changes, Is.EqualTo(new[] { "confirm n2 fenced (manual)" }));
    }

    [Test]
    public void Apply_ForgetsOneNodesEvents_WhenHistoryCleanedUpForIt()
    {
        var state = ApplyOk(WithDevices(), new ChangeBatch("f", "controller@n1", T1, null,
            [new RecordFence(Fenced("n1", false)), new RecordFence(Fenced("n2", false))]), 3);

        var one = ApplyOk(state, Batch("c1", new ClearFenceHistory(new NodeName("n2"))), 4);
        var all = ApplyOk(state, Batch("c2", new ClearFenceHistory(null)), 4);

        Assert.That(one.FenceHistory.Select(e => e.Target.Value), Is.EqualTo(new[] { "n1" }));
        Assert.That(all.FenceHistory, Is.Empty);
    }

    [Test]
    public void Apply_DropsOldestEvents_WhenHistoryIsFull()
    {
        var state = WithDevices();
        var events = Enumerable.Range(0, StoreState.FenceHistoryLimit + 5)
            .Select(i => (ConfigChange)new RecordFence(Fenced("n2", false) with { Detail = $"attempt {i}" })).ToArray();

        state = ApplyOk(state, new ChangeBatch("f", "controller@n1", T1, null, [.. events]), 3);

        Assert.That(state.FenceHistory, Has.Count.EqualTo(StoreState.FenceHistoryLimit));
        Assert.That(state.FenceHistory[0].Detail, Is.EqualTo("attempt 5"));
    }

    [Test]
    public void DecodeBatch_GivesBackFencingChanges_WhenEncoded()
    {
        var batch = Batch("f",
            new AddFencingLevel(new FencingLevel("fl-x", 3, null, null, "rack", "r1", [new ResourceId("f1"), new ResourceId("f2")])),
            new DeleteFencingLevel("fl-y"),
            new RecordFence(Fenced("n2", true)),
            new ClearFenceHistory(new NodeName("n2")),
            new ClearFenceHistory(null));

        var decoded = StoreCodec.DecodeBatch(StoreCodec.EncodeBatch(batch));

        Assert.That(decoded.Changes.Select(c => c.Describe()), Is.EqualTo(batch.Changes.Select(c => c.Describe())));
        Assert.That(((AddFencingLevel)decoded.Changes[0]).Level.Id, Is.EqualTo("fl-x"));
        Assert.That(((RecordFence)decoded.Changes[2]).Event, Is.EqualTo(Fenced("n2", true)).Using<FenceEvent>(SameEvent));
    }

    [Test]
    public void DecodeState_GivesBackTopologyAndFenceHistory_WhenEncoded()
    {
        var state = ApplyOk(WithDevices(), Batch("l1", new AddFencingLevel(NodeLevel(1, "n1", "f1", "f2"))), 3);
        state = ApplyOk(state, new ChangeBatch("f", "controller@n1", T1, null, [new RecordFence(Fenced("n2", true))]), 4);

        var decoded = StoreCodec.DecodeState(StoreCodec.EncodeState(state));

        Assert.That(decoded.Configuration.FencingTopology.Single(), Is.EqualTo(state.Configuration.FencingTopology.Single()).Using<FencingLevel>(
            (a, b) => a.Id == b.Id && a.Index == b.Index && a.Target == b.Target && a.Devices.SequenceEqual(b.Devices)));
        Assert.That(decoded.FenceHistory.Single(), Is.EqualTo(state.FenceHistory.Single()).Using<FenceEvent>(SameEvent));
    }

    [Test]
    public void DecodeState_GivesEmptyFenceHistory_WhenSnapshotHasNone()
    {
        var json = System.Text.Encoding.UTF8.GetString(StoreCodec.EncodeState(WithDevices()));
        var old = json.Replace(",\"fenceHistory\":[]", "", StringComparison.Ordinal);

        Assert.That(old, Does.Not.Contain("fenceHistory"));
        Assert.That(StoreCodec.DecodeState(System.Text.Encoding.UTF8.GetBytes(old)).FenceHistory, Is.Empty);
    }

    private static bool SameEvent(FenceEvent a, FenceEvent b) =>
        a with { Devices = [] } == b with { Devices = [] } && a.Devices.SequenceEqual(b.Devices);
}
