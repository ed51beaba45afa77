extern alias clusterd;
using ClusterManager.Cli.Commands;
using ClusterManager.Daemon.Tests.Cluster;
using ClusterManager.Model;
using Clusterd = clusterd::ClusterManager.Daemon;

namespace ClusterManager.Cli.Tests.Vrrp;

/// <summary>
/// <c>hactl vrrp import</c> against a real one-node clusterd on loopback (clones created --disabled: nothing runs VRRP
/// here), and the leader's side of the attribute channel the agent publishes through.
/// </summary>
[NonParallelizable]
public sealed class VrrpImportClusterTests
{
    private const string Conf = """
        vrrp_script chk {
            script "true"
            interval 2
            weight -20
        }
        vrrp_instance VI_1 {
            interface eth0
            virtual_router_id 51
            priority 100
            virtual_ipaddress {
                198.18.0.100/24
            }
            track_script {
                chk
            }
            garp_lower_prio_repeat 1
        }
        """;

    [Test]
    public async Task Import_CreatesTheClonesInOneChange_AndRefusesASecondImport()
    {
        await using var cluster = TestCluster.Start(1);
        await cluster.WaitForLeaderAsync();
        var file = Path.Combine(Path.GetTempPath(), $"cmt-vrrpimp-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(file, Conf);
        try
        {
            var (code, output, error) = await RunAsync(cluster, "vrrp", "import", file, "--disabled");
            Assert.That(code, Is.EqualTo(ExitCodes.Ok), error);
            Assert.That(output, Does.Contain("Created VI_1 (ocf:clustermanager:vrrp), cloned as VI_1-clone"));
            Assert.That(error, Does.Contain("'garp_lower_prio_repeat' is not imported"));

            var (_, config, _) = await RunAsync(cluster, "resource", "config", "VI_1-clone");
            Assert.That(config, Does.Contain("Clone: VI_1-clone").And.Contain("class=ocf provider=clustermanager type=vrrp")
                .And.Contain("vrid=51").And.Contain("track_script_weight=-20").And.Contain("target-role=Stopped"));
            Assert.That(config, Does.Contain("monitor").And.Contain("interval=10s"));

            // The agent's meta-data is found for resource create too (required options, no unknown ones).
            var (created, _, createError) = await RunAsync(cluster,
                "resource", "create", "vip-vrrp", "ocf:clustermanager:vrrp", "vrid=52", "interface=eth0", "priority=100", "ip=198.18.0.101/24", "clone", "--disabled");
            Assert.That(created, Is.EqualTo(ExitCodes.Ok), createError);
            var (refused, _, refusedError) = await RunAsync(cluster,
                "resource", "create", "bad-vrrp", "ocf:clustermanager:vrrp", "vrid=53", "interface=eth0", "colour=red", "--disabled");
            Assert.That(refused, Is.Not.EqualTo(ExitCodes.Ok));
            Assert.That(refusedError, Does.Contain("colour").And.Contain("ip"));

            var (again, _, againError) = await RunAsync(cluster, "vrrp", "import", file);
            Assert.That(again, Is.EqualTo(ExitCodes.Failure));
            Assert.That(againError, Does.Contain("'VI_1' already exists; nothing was imported"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void AttributeReport_BecomesATransientAttributeChange_ValueOrRemoval()
    {
        var node = new NodeName("n2");
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

        var set = Clusterd.Control.OperationRecords.ChangesFor(
            Clusterd.Control.OperationRecords.AttributeReport(node, "vrrp-vip-master", "1", now), null, startFailureIsFatal: true);
        var unset = Clusterd.Control.OperationRecords.ChangesFor(
            Clusterd.Control.OperationRecords.AttributeReport(node, "vrrp-vip-mismatch", null, now), null, startFailureIsFatal: true);

        Assert.That(set, Is.EqualTo(new[] { new Clusterd.Store.SetTransientAttribute(node, "vrrp-vip-master", "1") }));
        Assert.That(unset, Is.EqualTo(new[] { new Clusterd.Store.SetTransientAttribute(node, "vrrp-vip-mismatch", null) }));
    }

    private static async Task<(int Code, string Out, string Err)> RunAsync(TestCluster cluster, params string[] args)
    {
        var host = HactlHost.Isolated with
        {
            GetVariable = name => name == "HACTL_SERVER" ? cluster.ApiEndpoints[0] : null,
            User = "e2e",
        };
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await Hactl.RunAsync(args, stdout, stderr, TimeProvider.System, host);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
