using System.Text.RegularExpressions;
using ClusterManager.Api.V1;

namespace ClusterManager.Daemon.Tests.Cluster;

/// <summary>
/// The snapshot-installation scenarios of DotNext 6.12's defects B1 (a follower's log breaks when a snapshot is
/// installed under write load) and B2 (a snapshot install slower than the request timeout leaves the follower
/// stuck). A follower is stopped, the leader compacts its log past the follower's position, and the follower is
/// restarted under load: it must converge through an installed snapshot. A node that stops itself because its log
/// broke is restarted, as systemd does; the test then still requires convergence.
/// </summary>
[NonParallelizable]
public sealed partial class SnapshotInstallTests
{
    [GeneratedRegex(@"Store restored from snapshot \S+: index (\d+)")]
    private static partial Regex RestoredLine();

    private static ApplyChangesRequest Batch(string requestId, int resources, int first)
    {
        var request = new ApplyChangesRequest { RequestId = requestId, Author = "tester" };
        for (var r = first; r < first + resources; r++)
        {
            request.Changes.Add(new Change
            {
                PutResource = new PutElement
                {
                    // An agent that is not installed: the controller probes every resource on every node, and
                    // this test is about snapshots, not about a thousand Dummy processes on a 2-core machine.
                    Xml = $"<primitive id=\"R{r}\" class=\"ocf\" provider=\"cmtest\" type=\"NotInstalled\"><instance_attributes id=\"R{r}-ia\">"
                        + $"<nvpair id=\"R{r}-ia-state\" name=\"state\" value=\"/run/resource-agents/R{r}.state\"/></instance_attributes>"
                        + $"<operations><op id=\"R{r}-monitor-10s\" name=\"monitor\" interval=\"10s\" timeout=\"20s\"/></operations></primitive>",
                },
            });
        }

        return request;
    }

    private static ApplyChangesRequest Attribute(string requestId, int n)
    {
        var request = new ApplyChangesRequest { RequestId = requestId, Author = "load" };
        request.Changes.Add(new Change { SetNodeAttribute = new NodeAttribute { Node = "load", Name = $"a{n % 16}", Value = $"{n}" } });
        return request;
    }

    /// <summary>
    /// A write as a client should make it: on UNAVAILABLE (leadership lost on a loaded machine: outcome unknown) the
    /// same request id is sent again to whoever leads now, which is safe because request ids are idempotent.
    /// </summary>
    private static async Task ApplyAsync(TestCluster cluster, ApplyChangesRequest request)
    {
        var giveUp = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var leader = await cluster.WaitForLeaderAsync();
            try
            {
                await cluster.Client(leader).ApplyChangesAsync(request, deadline: DateTime.UtcNow.AddSeconds(30));
                return;
            }
            catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.Unavailable && DateTime.UtcNow < giveUp)
            {
                await Task.Delay(200);
            }
        }
    }

    [TestCase(5, 1, TestName = "ApplyChanges_LaggingFollowerConverges_WhenSnapshotInstalledUnderLoad")]
    [TestCase(10, 100, TestName = "ApplyChanges_LaggingFollowerConverges_WhenLargeSnapshotInstalled")]
    public async Task ApplyChanges_LaggingFollowerConverges_WhenSnapshotInstalled(int batches, int resourcesPerBatch)
    {
        await using var cluster = TestCluster.Start(extra: new Dictionary<string, object> { ["SnapshotInterval"] = 10 });
        var leader = await cluster.WaitForLeaderAsync();
        var lagging = Enumerable.Range(0, cluster.Size).First(i => i != leader);
        var writer = Enumerable.Range(0, cluster.Size).First(i => i != leader && i != lagging);
        await ApplyAsync(cluster, Attribute("first", 0));
        await cluster.WaitForEpochAsync(lagging, 1);
        var before = (await cluster.Client(lagging).GetStatusAsync(new GetStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(30))).AppliedIndex;
        cluster.Kill(lagging);

        // Enough entries for several snapshots, so the leader's log no longer reaches back to the follower's position.
        for (var b = 0; b < batches; b++)
        {
            await ApplyAsync(cluster, Batch($"big-{b}", resourcesPerBatch, b * resourcesPerBatch));
        }

        for (var n = 0; n < 40; n++)
        {
            await ApplyAsync(cluster, Attribute($"pre-{n}", n));
        }

        // Restart the follower while 8 clients keep writing through the third node.
        using var stopLoad = new CancellationTokenSource();
        var acknowledged = 0;
        var load = Enumerable.Range(0, 8).Select(async c =>
        {
            for (var n = 0; !stopLoad.IsCancellationRequested; n++)
            {
                try
                {
                    await cluster.Client(writer).ApplyChangesAsync(Attribute($"load-{c}-{n}", n), deadline: DateTime.UtcNow.AddSeconds(30));
                    Interlocked.Increment(ref acknowledged);
                }
                catch (Grpc.Core.RpcException)
                {
                    // A leader change under load; the next write goes on.
                }
            }
        }).ToArray();
        cluster.StartNode(lagging);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await stopLoad.CancelAsync();
        await Task.WhenAll(load);
        var restarts = cluster.RestartExited();

        var leaderNow = await cluster.WaitForLeaderAsync();
        var final = await cluster.Client(leaderNow).GetConfigurationAsync(new GetConfigurationRequest { Linearizable = true }, deadline: DateTime.UtcNow.AddSeconds(30));
        var converged = await WaitForEpochRestartingAsync(cluster, lagging, final.Epoch);
        var installed = RestoredLine().Matches(cluster.Log(lagging)).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        await TestContext.Out.WriteLineAsync($"acknowledged under load: {acknowledged}; nodes restarted after a broken log: {restarts}; follower index before {before}, snapshots restored {string.Join(",", installed)}; on the leader: {RestoredLine().Count(cluster.Log(leader))}");

        Assert.That(acknowledged, Is.Positive);
        Assert.That(converged.CibXml, Is.EqualTo(final.CibXml));
        Assert.That(installed, Has.Some.GreaterThan(before), "the follower caught up through an installed snapshot");
        for (var i = 0; i < cluster.Size; i++)
        {
            var config = await cluster.WaitForEpochAsync(i, final.Epoch);
            Assert.That(config.CibXml, Is.EqualTo(final.CibXml), TestCluster.NodeName(i));
        }
    }

    private static async Task<GetConfigurationResponse> WaitForEpochRestartingAsync(TestCluster cluster, int node, long epoch)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await cluster.WaitForEpochAsync(node, epoch);
            }
            catch (TimeoutException) when (attempt == 0 && cluster.RestartExited() > 0)
            {
                // The follower stopped itself (broken log, B1); restarted like systemd would, it must converge.
            }
        }
    }
}
