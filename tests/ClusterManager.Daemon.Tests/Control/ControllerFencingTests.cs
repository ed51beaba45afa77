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
    private const string Agent = """
        #!/bin/bash
        # fence_cmtest: kills the target node's clusterd (pid file per node) and logs the time.
        dir="$(dirname "$(readlink -f "$0")")"
        declare -A opt
        while IFS= read -r line; do [[ "$line" == *=* ]] && opt["${line%%=*}"]="${line#*=}"; done
        action="${opt[action]:-reboot}"
        target="${opt[plug]:-${opt[port]:-${opt[nodename]:-}}}"
        case "$action" in
          metadata) echo '<?xml version="1.0"?><resource-agent name="fence_cmtest" shortdesc="test"><parameters><parameter name="plug" unique="0" required="0"><content type="string"/><shortdesc lang="en">node</shortdesc></parameter></parameters><actions><action name="on"/><action name="off"/><action name="reboot"/><action name="status"/><action name="monitor"/><action name="metadata"/></actions></resource-agent>'; exit 0 ;;
          monitor|status|on) exit 0 ;;
          off|reboot)
            [ -e "$dir/fail" ] && { echo "BMC unreachable" >&2; exit 1; }
            [ -f "$dir/pids/$target" ] && kill -9 "$(cat "$dir/pids/$target")" 2>/dev/null
            echo "$(date +%s.%N) $action $target" >> "$dir/fenced.log"; exit 0 ;;
          *) exit 1 ;;
        esac
        """;

    private static string SetUpAgent(string dir)
    {
        Directory.CreateDirectory(Path.Combine(dir, "pids"));
        var path = Path.Combine(dir, "fence_cmtest");
        File.WriteAllText(path, Agent.Replace("\r", "", StringComparison.Ordinal) + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return dir;
    }

    private static void WritePids(TestCluster cluster, string dir)
    {
        for (var i = 0; i < cluster.Size; i++)
        {
            File.WriteAllText(Path.Combine(dir, "pids", TestCluster.NodeName(i)), cluster.Pid(i)!.Value.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static Change FenceDevice() => new()
    {
        PutResource = new PutElement
        {
            Xml = "<primitive id=\"fence-all\" class=\"stonith\" type=\"fence_cmtest\"><instance_attributes id=\"fence-all-ia\">"
                  + "<nvpair id=\"fence-all-hosts\" name=\"pcmk_host_list\" value=\"n1 n2 n3\"/></instance_attributes></primitive>",
        },
    };

    private static async Task<(TestCluster Cluster, string Dir, int Holder)> StartWithFencingAsync()
    {
        var dir = SetUpAgent(Directory.CreateTempSubdirectory("cmt-fence-").FullName);
        var cluster = StartCluster(dir);
        var leader = await cluster.WaitForLeaderAsync();
        WritePids(cluster, dir);
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
