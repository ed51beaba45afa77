using System.Globalization;
using ClusterManager.Api.V1;
using ClusterManager.Daemon.Tests.Cluster;
using static ClusterManager.Daemon.Tests.Control.ControllerClusterTests;

namespace ClusterManager.Daemon.Tests.Control;

/// <summary>
/// Fencing through the controller on three real clusterd processes: a fence agent (the standard's stdin protocol)
/// whose reboot kills the target's clusterd by its pid, and logs when it did. A lost node's resources are recovered
/// only after its fence is confirmed; a failing fence keeps them down.
/// </summary>
[NonParallelizable]
public sealed class ControllerFencingTests
{
    private static Change FenceDevice() => new() { PutResource = new PutElement { Xml = TestFenceAgent.DeviceXml("fence-all", "n1 n2 n3") } };

    private static async Task<(TestCluster Cluster, string Dir, int Holder)> StartWithFencingAsync()
    {
        var dir = TestFenceAgent.SetUp(Directory.CreateTempSubdirectory("cmt-fence-").FullName);
        var cluster = StartCluster(dir);
        var leader = await cluster.WaitForLeaderAsync();
        TestFenceAgent.WritePids(cluster, dir);
        await ApplyAsync(cluster, leader, Property("stonith-enabled", "true"), FenceDevice(), Primitive("d1"));
        await WaitAsync(cluster, "d1", r => r.Count == 1, "d1 to start");
        return (cluster, dir, RunningOn(cluster, "d1").Single());
    }

    [Test]
    public async Task Controller_RecoversResourceAfterTheFence_WhenItsNodeIsKilled()
    {
        var (cluster, dir, holder) = await StartWithFencingAsync();
        await using (cluster)
        {
            cluster.Kill(holder);
            var survivors = Enumerable.Range(0, cluster.Size).Where(i => i != holder).ToList();

            await WaitAsync(cluster, "d1", r => r.Count == 1, "d1 to be recovered on a survivor", survivors);

            var fenced = File.ReadAllLines(Path.Combine(dir, "fenced.log")).Select(l => l.Split(' ')).ToList();
            Assert.That(fenced.Select(f => f[2]), Does.Contain(TestCluster.NodeName(holder)));
            var fencedAt = DateTimeOffset.FromUnixTimeMilliseconds((long)(double.Parse(fenced.First(f => f[2] == TestCluster.NodeName(holder))[0], CultureInfo.InvariantCulture) * 1000));
            var startedAt = File.GetLastWriteTimeUtc(StateFile(cluster, RunningOn(cluster, "d1", survivors).Single(), "d1"));
            Assert.That(startedAt, Is.GreaterThanOrEqualTo(fencedAt.UtcDateTime.AddMilliseconds(-10)), "d1 started before the fence");
            var history = await cluster.Client(survivors[0]).GetFenceHistoryAsync(new GetFenceHistoryRequest { Node = TestCluster.NodeName(holder) });
            var recorded = history.Events.First(e => e.Succeeded);
            Assert.That((recorded.Action, recorded.Client, recorded.Devices.Single()), Is.EqualTo(("reboot", "controller", "fence-all")));
            Assert.That(survivors.Select(TestCluster.NodeName), Does.Contain(recorded.ExecutedBy));
        }

        Directory.Delete(dir, recursive: true);
    }

    [Test]
    public async Task Controller_KeepsResourceDownUntilAFenceSucceeds_WhenFencingFails()
    {
        var (cluster, dir, holder) = await StartWithFencingAsync();
        await using (cluster)
        {
            await File.WriteAllTextAsync(Path.Combine(dir, "fail"), "");
            cluster.Kill(holder);
            var survivors = Enumerable.Range(0, cluster.Size).Where(i => i != holder).ToList();

            // Several fence attempts fail meanwhile; d1 must stay down on the survivors the whole time.
            var until = DateTime.UtcNow.AddSeconds(6);
            while (DateTime.UtcNow < until)
            {
                Assert.That(RunningOn(cluster, "d1", survivors), Is.Empty, "d1 recovered without a confirmed fence");
                await Task.Delay(50);
            }

            File.Delete(Path.Combine(dir, "fail"));
            await WaitAsync(cluster, "d1", r => r.Count == 1, "d1 to be recovered once the fence succeeds", survivors);
            Assert.That(File.ReadAllText(Path.Combine(dir, "fenced.log")), Does.Contain(TestCluster.NodeName(holder)));
        }

        Directory.Delete(dir, recursive: true);
    }
}
