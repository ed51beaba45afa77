using System.Collections.Immutable;
using System.Text.Json;
using ClusterManager.Agents.Vrrp;
using ClusterManager.Cli.Commands;
using ClusterManager.Cli.Commands.Vrrp;
using ClusterManager.Cli.Output;
using ClusterManager.Model;
using ClusterManager.Model.Status;
using ClusterManager.Cli.Tests.Support;

namespace ClusterManager.Cli.Tests.Vrrp;

/// <summary><c>hactl vrrp import</c> from keepalived.conf texts (no cluster: planning and --dry-run), and the status warning.</summary>
public class VrrpCommandsTests
{
    /// <summary>The reference study's configuration (vrrp-keepalived.md §1.3), with a second script and instance.</summary>
    private const string Reference = """
        global_defs {
            router_id kv-n1
            script_user root
            enable_script_security
            vrrp_version 2
            vrrp_skip_check_adv_addr
        }
        vrrp_script chk_file {
            script "scripts/check_file.sh run/kv-n1/healthy"
            interval 2
            weight -20
            fall 3
            rise 2
        }
        vrrp_script chk_haproxy {
            script "killall -0 haproxy"
            interval 1
        }
        vrrp_instance VI_1 {
            state MASTER
            interface eth0
            virtual_router_id 51
            priority 100
            advert_int 1
            authentication {
                auth_type PASS
                auth_pass kvpass12
            }
            virtual_ipaddress {
                198.18.0.100/24
            }
            track_script {
                chk_file
            }
            notify_master "scripts/notify.sh kv-n1 MASTER"
            notify        "scripts/notify.sh kv-n1 generic"
            smtp_alert
        }
        vrrp_instance VI_2 {
            interface eth1
            virtual_router_id 52
            priority 90
            version 3
            advert_int 0.5
            nopreempt
            unicast_src_ip 198.18.1.11
            unicast_peer {
                198.18.1.12
            }
            virtual_ipaddress {
                198.18.1.100/24
                198.18.1.101/24
            }
            track_script {
                chk_file
                chk_haproxy
            }
        }
        """;

    [Test]
    public void Plan_Reference_OneCloneOfTheAgentPerInstance()
    {
        var plan = VrrpCommands.Plan(Reference);

        Assert.That(plan.Errors, Is.Empty);
        Assert.That(plan.Resources.Select(r => (r.Id, r.CloneId)), Is.EqualTo(new[] { ("VI_1", "VI_1-clone"), ("VI_2", "VI_2-clone") }));
        Assert.That(plan.Resources[0].Parameters, Is.EqualTo(new KeyValuePair<string, string>[]
        {
            new("vrid", "51"), new("interface", "eth0"), new("ip", "198.18.0.100/24"), new("priority", "100"), new("version", "2"),
            new("advert_int", "1"), new("auth_pass", "kvpass12"), new("track_script", "scripts/check_file.sh run/kv-n1/healthy"), new("track_script_interval", "2"),
            new("track_script_weight", "-20"), new("track_script_fall", "3"), new("track_script_rise", "2"),
            new("notify_master", "scripts/notify.sh kv-n1 MASTER"), new("notify", "scripts/notify.sh kv-n1 generic"),
        }));
    }

    [Test]
    public void Plan_NotCarriedOver_ListsEveryKeywordWithItsLine()
    {
        var plan = VrrpCommands.Plan(Reference);

        Assert.That(plan.NotImported, Has.Some.Contains("line 6: global_defs 'vrrp_skip_check_adv_addr' is not imported"));
        Assert.That(plan.NotImported, Has.Some.Contains("line 37: vrrp_instance VI_1 'smtp_alert' is not imported"));
    }

    [Test]
    public void Plan_Parameters_ParseBackToTheImportedInstance()
    {
        var plan = VrrpCommands.Plan(Reference);
        var imported = ClusterManager.Vrrp.Configuration.KeepalivedConfImporter.Import(Reference).Config!;

        foreach (var (resource, instance) in plan.Resources.Zip(imported.Instances))
        {
            var (parsed, errors) = VrrpAgentParameters.Parse(resource.Id, resource.Parameters.ToDictionary(p => p.Key, p => p.Value));
            Assert.That(errors, Is.Empty, resource.Id);
            var back = parsed!.Config.Instances.Single();
            Assert.That(JsonSerializer.Serialize(back with { TrackScripts = [], Name = "x" }), Is.EqualTo(JsonSerializer.Serialize(instance with { TrackScripts = [], Name = "x" })));
            Assert.That(parsed.Config.Scripts.Select(s => s.Script), Is.EqualTo(instance.TrackScripts.Select(t => imported.Scripts.Single(s => s.Name == t).Script)));
        }
    }

    [TestCase("vrrp_sync_group G { group { VI_1 } }\n", "sync groups are not supported")]
    [TestCase("vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n authentication {\n auth_type AH\n }\n virtual_ipaddress {\n 198.18.0.100\n }\n}\n", "auth_type AH is not supported")]
    [TestCase("vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n virtual_ipaddress {\n 198.18.0.100\n }\n}\nvrrp_instance VI_2 {\n interface eth0\n virtual_router_id 51\n virtual_ipaddress {\n 198.18.0.101\n }\n}\n", "the same virtual_router_id 51 on eth0")]
    [TestCase("vrrp_instance VI_1 {\n", "missing '}'")]
    public void Plan_UnsafeOrBroken_IsRefused(string text, string expected)
    {
        var plan = VrrpCommands.Plan(text);

        Assert.That(plan.Resources, Is.Empty);
        Assert.That(string.Join("\n", plan.Errors), Does.Contain(expected));
    }

    [Test]
    public void Import_DryRun_PrintsTheCommandsAndWhatWasNotCarriedOver()
    {
        var file = WriteTemp(Reference);
        try
        {
            var (code, output, error) = Run("vrrp", "import", file, "--dry-run");

            Assert.That(code, Is.EqualTo(ExitCodes.Ok), error);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.That(lines, Has.Length.EqualTo(2));
            Assert.That(lines[0], Does.StartWith("hactl resource create VI_1 ocf:clustermanager:vrrp vrid=51 interface=eth0 ip=198.18.0.100/24 priority=100 version=2 advert_int=1 auth_pass=kvpass12 'track_script=scripts/check_file.sh run/kv-n1/healthy'"));
            Assert.That(lines[0], Does.EndWith(" clone"));
            Assert.That(lines[1], Does.Contain("'track_script=[{\"name\":\"chk_file\"").And.Contain("nopreempt=true").And.Contain("unicast_peer=198.18.1.12"));
            Assert.That(error, Does.Contain("warning: not carried over: line 37: vrrp_instance VI_1 'smtp_alert' is not imported"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void Import_DryRunJson_ListsResourcesAndNotImported()
    {
        var file = WriteTemp(Reference);
        try
        {
            var (code, output, error) = Run("vrrp", "import", file, "--dry-run", "--disabled", "--output", "json");

            Assert.That(code, Is.EqualTo(ExitCodes.Ok), error);
            var json = JsonDocument.Parse(output).RootElement;
            Assert.That(json.GetProperty("created").GetBoolean(), Is.False);
            var first = json.GetProperty("resources")[0];
            Assert.That(first.GetProperty("parameters").GetProperty("vrid").GetString(), Is.EqualTo("51"));
            Assert.That(first.GetProperty("command").GetString(), Does.EndWith("clone --disabled"));
            Assert.That(json.GetProperty("not_imported").GetArrayLength(), Is.EqualTo(2));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void Import_UnreadableOrInvalid_BadInputNamingTheProblem()
    {
        var (code, _, error) = Run("vrrp", "import", "/nonexistent/keepalived.conf", "--dry-run");
        Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(error, Does.Contain("cannot read /nonexistent/keepalived.conf"));

        var file = WriteTemp("vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 300\n virtual_ipaddress {\n 198.18.0.100\n }\n}\n");
        try
        {
            (code, _, error) = Run("vrrp", "import", file, "--dry-run");
            Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
            Assert.That(error, Does.Contain("vrid: must be 1–255, got 300"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [TestCase("eth0", "eth0")]
    [TestCase("track_script=a b", "'track_script=a b'")]
    [TestCase("it's", "'it'\\''s'")]
    [TestCase("", "''")]
    public void Quote_ShellSafe(string word, string expected)
    {
        Assert.That(VrrpCommands.Quote(word), Is.EqualTo(expected));
    }

    [Test]
    public void VrrpMismatchWarnings_NameTheNodeTheResourceThePeerAndTheField()
    {
        static NodeState Node(string name, params (string Name, string Value)[] attributes) => new(
            name, new NodeName(name), true, true, "member", "member",
            attributes.ToImmutableSortedDictionary(a => a.Name, a => a.Value, StringComparer.Ordinal), []);
        var status = ClusterStatus.Empty with
        {
            Nodes =
            [
                Node("n2", ("vrrp-vip-vrrp-mismatch", "peer 198.18.0.11 field Password"), ("vrrp-vip-vrrp-master", "1")),
                Node("n1", ("vrrp-vip-vrrp-master", "0"), ("fail-count-x#start_0", "1")),
            ],
        };

        var warnings = LiveStatusWriter.VrrpMismatchWarnings(status);

        Assert.That(warnings, Is.EqualTo(new[] { "VRRP vip-vrrp on n2: adverts that disagree with its settings from peer 198.18.0.11 field Password" }));
    }

    private static string WriteTemp(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"cmt-vrrpimp-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, text);
        return path;
    }

    private static (int Code, string Out, string Err) Run(params string[] args) => HactlRun.Run(args);
}
