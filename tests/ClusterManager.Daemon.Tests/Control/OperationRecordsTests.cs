using System.Collections.Immutable;
using ClusterManager.Daemon.Control;
using ClusterManager.Daemon.Store;
using ClusterManager.Model;
using ClusterManager.Model.Status;

namespace ClusterManager.Daemon.Tests.Control;

public sealed class OperationRecordsTests
{
    private static readonly NodeName N1 = new("n1");
    private static readonly DateTimeOffset Started = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    private static ExecutedOperation Op(string action, long intervalMs, int rc, int expected = 0, int execStatus = 0, string historyId = "VIP") =>
        new(N1, new OperationRequest("VIP", historyId, "ocf:heartbeat:IPaddr2", action, TimeSpan.FromMilliseconds(intervalMs), TimeSpan.FromSeconds(20),
                ImmutableSortedDictionary<string, string>.Empty, ImmutableSortedDictionary<string, string>.Empty, expected, "d1g35t", "4:7:0:n2"),
            11, rc, execStatus, rc == 0 ? null : "boom", Started, TimeSpan.FromMilliseconds(37), "");

    private static NodeState Node(params (string Name, string Value)[] attributes) =>
        new("n1", N1, true, true, "member", "member", attributes.ToImmutableSortedDictionary(a => a.Name, a => a.Value, StringComparer.Ordinal), []);

    [TestCase("start", 0, "VIP_last_0")]
    [TestCase("monitor", 10000, "VIP_monitor_10000")]
    [TestCase("monitor", 0, "VIP_last_0")]
    public void ChangesFor_RecordsUnderPacemakersId_WhenOperationSucceeded(string action, long intervalMs, string id)
    {
        var changes = OperationRecords.ChangesFor(Op(action, intervalMs, action == "monitor" && intervalMs == 0 ? 7 : 0, action == "monitor" && intervalMs == 0 ? 7 : 0), null, true);

        var record = (RecordOperation)changes.Single();
        Assert.That(record.Operation.Id, Is.EqualTo(id));
        Assert.That(record.Operation.OperationKey, Is.EqualTo($"VIP_{action}_{intervalMs}"));
        Assert.That((record.Operation.CallId, record.Operation.OpDigest, record.Operation.TransitionKey, record.Operation.LastRun), Is.EqualTo((11, "d1g35t", "4:7:0:n2", (long?)1_800_000_000)));
        Assert.That((record.Resource.Class, record.Resource.Provider, record.Resource.Type), Is.EqualTo(("ocf", "heartbeat", "IPaddr2")));
    }

    [TestCase("migrate_to", "n1", "n2")]
    [TestCase("migrate_from", "n1", "n2")]
    [TestCase("start", null, null)]
    public void ChangesFor_RecordsMigrationNodes_OnlyForMigrationActions(string action, string? source, string? target)
    {
        var meta = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string> { ["migrate_source"] = "n1", ["migrate_target"] = "n2" });
        var op = Op(action, 0, 0);
        op = op with { Request = op.Request with { Meta = meta } };

        var record = (RecordOperation)OperationRecords.ChangesFor(op, null, true).Single();

        Assert.That((record.Operation.Operation, record.Operation.MigrateSource, record.Operation.MigrateTarget), Is.EqualTo((action, source, target)));
    }

    [TestCase("reload-agent", 0, "start")]
    [TestCase("reload", 0, "start")]
    [TestCase("reload-agent", 2, "monitor")]
    public void ChangesFor_RecordsReloadAsStartWithRestartDigest_WhenReloadRan(string action, int execStatus, string recorded)
    {
        var op = Op(action, 0, 0, execStatus: execStatus) with { ForceRestart = "  state  ", RestartDigest = "r35t4rt" };

        var record = OperationRecords.ChangesFor(op, null, true).OfType<RecordOperation>().First().Operation;

        Assert.That((record.Id, record.Operation, record.OperationKey), Is.EqualTo(("VIP_last_0", recorded, $"VIP_{recorded}_0")));
        Assert.That((record.OpDigest, record.ForceRestart, record.RestartDigest), Is.EqualTo(("d1g35t", "  state  ", "r35t4rt")));
    }

    [Test]
    public void ChangesFor_RecordsNoRestartDigest_WhenAgentCannotReload()
    {
        var record = ((RecordOperation)OperationRecords.ChangesFor(Op("start", 0, 0), null, true).Single()).Operation;

        Assert.That((record.ForceRestart, record.RestartDigest), Is.EqualTo(((string?)null, (string?)null)));
    }

    [Test]
    public void ChangesFor_CountsFailureAndRecordsLastFailure_WhenMonitorFails()
    {
        var changes = OperationRecords.ChangesFor(Op("monitor", 10000, 7), Node(("fail-count-VIP#monitor_10000", "1")), true);

        Assert.That(changes.OfType<RecordOperation>().Select(r => r.Operation.Id), Is.EqualTo(new[] { "VIP_monitor_10000", "VIP_last_failure_0" }));
        Assert.That(changes.OfType<SetTransientAttribute>().Select(a => (a.Name, a.Value)), Is.EqualTo(new[]
        {
            ("fail-count-VIP#monitor_10000", "2"), ("last-failure-VIP#monitor_10000", "1800000000"),
        }));
    }

    [TestCase(true, "INFINITY")]
    [TestCase(false, "1")]
    public void ChangesFor_FailCountFollowsStartFailureIsFatal_WhenStartFails(bool fatal, string expected)
    {
        var changes = OperationRecords.ChangesFor(Op("start", 0, 1), null, fatal);

        Assert.That(changes.OfType<SetTransientAttribute>().First().Value, Is.EqualTo(expected));
    }

    [TestCase(0, false)]
    [TestCase(7, false)]
    [TestCase(8, false)]
    [TestCase(1, true)]
    [TestCase(5, true)]
    public void Failed_OnlyForErrors_WhenProbeAnswers(int rc, bool failed)
    {
        Assert.That(Op("monitor", 0, rc, expected: 7).Failed, Is.EqualTo(failed));
    }

    [Test]
    public void Failed_True_WhenOperationTimedOut()
    {
        Assert.That(Op("stop", 0, 0, execStatus: 2).Failed, Is.True);
    }

    [Test]
    public void ClearFailCount_UnsetsOnlyThatResourcesAttributes_WhenNodeHasSeveral()
    {
        var node = Node(("fail-count-VIP#monitor_10000", "2"), ("last-failure-VIP#monitor_10000", "1"), ("fail-count-VIP2#start_0", "1"), ("standby", "on"));

        var changes = OperationRecords.ClearFailCount(N1, node, "VIP");

        Assert.That(changes.Cast<SetTransientAttribute>().Select(a => (a.Name, a.Value)), Is.EqualTo(new (string, string?)[]
        {
            ("fail-count-VIP#monitor_10000", null), ("last-failure-VIP#monitor_10000", null),
        }));
    }

    [TestCase("ocf:heartbeat:IPaddr2", "ocf", "heartbeat", "IPaddr2")]
    [TestCase("systemd:haproxy", "systemd", null, "haproxy")]
    public void SplitAgent_ReturnsParts_WhenAgentNamed(string agent, string cls, string? provider, string type)
    {
        Assert.That(OperationRecords.SplitAgent(agent), Is.EqualTo((cls, provider, type)));
    }

    [Test]
    public void SplitAgent_ThrowsNamingTheAgent_WhenMalformed()
    {
        Assert.That(() => OperationRecords.SplitAgent("IPaddr2"), Throws.TypeOf<FormatException>().With.Message.Contains("'IPaddr2'"));
    }
}
