using System.Collections.Immutable;
using ClusterManager.Cli.Output;
using ClusterManager.Model;
using ClusterManager.Model.Status;

namespace ClusterManager.Cli.Tests.Output;

public class OperationFailuresTests
{
    private static OperationRecord Op(string operation, int intervalSeconds, int rc, int status = 0, int? expected = null, string id = "R_last_0") =>
        new(id, $"R_{operation}_{intervalSeconds * 1000}", operation, 1, rc, status, TimeSpan.FromSeconds(intervalSeconds), expected,
            null, null, null, null, null, null, null, null, null);

    [TestCase("start", 0, 0, 0, null, false)]
    [TestCase("start", 0, 1, 0, null, true)]
    [TestCase("monitor", 0, 7, 0, null, false)]
    [TestCase("monitor", 0, 8, 0, null, false)]
    [TestCase("monitor", 10, 7, 0, null, true)]
    [TestCase("monitor", 0, 7, 0, 0, true)]
    [TestCase("monitor", 10, 8, 0, 8, false)]
    [TestCase("start", 0, 0, 2, null, true)]
    [TestCase("start", 0, 0, -1, null, false)]
    public void IsFailure_ComparesWithTheExpectedResult(string operation, int interval, int rc, int status, int? expected, bool failure) =>
        Assert.That(OperationFailures.IsFailure(Op(operation, interval, rc, status, expected)), Is.EqualTo(failure));

    [Test]
    public void FailCounts_ReadTheControllersTransientAttributes()
    {
        var attributes = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string>
        {
            ["fail-count-Web#monitor_10000"] = "3",
            ["last-failure-Web#monitor_10000"] = "1767322800",
            ["fail-count-db:1#start_0"] = "INFINITY",
            ["fail-count-old#stop_0"] = "0",
            ["master-db"] = "10",
        });
        var status = ClusterStatus.Empty with { Nodes = [new NodeState("n1", new NodeName("n1"), true, true, "member", "member", attributes, [])] };

        var counts = OperationFailures.FailCounts(status);

        Assert.That(counts.Select(c => (c.Resource, c.Operation, c.IntervalMs, c.Count.ToString(), c.LastFailure)), Is.EquivalentTo(new[]
        {
            ("Web", "monitor", 10000L, "3", (long?)1767322800),
            ("db:1", "start", 0L, "INFINITY", (long?)null),
        }));
        Assert.That(OperationFailures.FailCounts(status, "db").Select(c => c.Resource), Is.EqualTo(new[] { "db:1" }));
    }

    [Test]
    public void Line_IsCrmMonsFailedActionLine()
    {
        var op = Op("monitor", 10, 7, id: "R_last_failure_0") with { CallId = 12, LastRcChange = 1767322800, ExitReason = "gone", ExecTimeMs = 4 };

        var line = OperationFailures.Line(new FailedAction(new NodeName("n2"), "R", op), TimeZoneInfo.Utc);

        Assert.That(line, Is.EqualTo("R_monitor_10000 on n2 'not running' (7): call=12, status='complete', exitreason='gone', last-rc-change='Fri Jan  2 03:00:00 2026', queued=0ms, exec=4ms"));
    }

    [TestCase(2, "Timed Out")]
    [TestCase(7, "Not installed")]
    [TestCase(8, "Internal communication failure")]
    [TestCase(10, "No fence device")]
    public void ExecStatusText_UsesPacemakersNames(int status, string text) =>
        Assert.That(OperationFailures.ExecStatusText(status), Is.EqualTo(text));
}
