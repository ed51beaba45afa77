using ClusterManager.Vrrp.Configuration;
using ClusterManager.Vrrp.Tests.Packets;

namespace ClusterManager.Vrrp.Tests.Configuration;

public class KeepalivedConfImporterTests
{
    [Test]
    public void Import_MapsScriptInstanceAuthAndNotify_FromLabConfig()
    {
        var result = KeepalivedConfImporter.Import(File.ReadAllText(PcapReader.VectorPath("vec-v2-pass.keepalived.conf")));

        Assert.That(result.Errors, Is.Empty);
        var config = result.Config!;
        var script = config.Scripts.Single();
        Assert.That(script, Is.EqualTo(new VrrpTrackScriptConfig
        {
            Name = "chk_file",
            Script = "/etc/keepalived/scripts/check_file.sh /run/keepalived-lab/kv-n1/healthy",
            Interval = 2,
            Weight = -20,
            Fall = 3,
            Rise = 2,
        }));
        var instance = config.Instances.Single();
        Assert.That((instance.Name, instance.Interface, instance.Vrid, instance.Priority, instance.AdvertInt, instance.Version, instance.AuthPass), Is.EqualTo(("VI_1", "eth0", 51, 100, 1.0, 2, "kvpass12")));
        Assert.That(instance.VirtualAddresses, Is.EqualTo(new[] { "198.18.0.100/24" }));
        Assert.That(instance.NotifyMaster, Is.EqualTo("/etc/keepalived/scripts/notify.sh kv-n1 MASTER"));
        Assert.That(instance.Notify, Is.EqualTo("/etc/keepalived/scripts/notify.sh kv-n1 generic"));
        Assert.That(result.Warnings, Is.Empty);
    }

    [Test]
    public void Import_MapsVersion3Unicast_FromLabConfig()
    {
        var result = KeepalivedConfImporter.Import(File.ReadAllText(PcapReader.VectorPath("vec-v3-unicast.keepalived.conf")));

        var instance = result.Config!.Instances.Single();
        Assert.That(instance.Version, Is.EqualTo(3));
        Assert.That(instance.UnicastSrcIp, Is.EqualTo("198.18.0.11"));
        Assert.That(instance.UnicastPeers, Is.EqualTo(new[] { "198.18.0.12" }));
        Assert.That(instance.TrackScripts, Is.Empty);
    }

    [Test]
    public void Import_ReportsIgnoredKeywordsWithLines_AndKeepsBehaviourKeywords()
    {
        const string conf = """
            global_defs {
                vrrp_garp_master_delay 1
                vrrp_garp_master_repeat 3
                lvs_id x   # not VRRP
            }
            vrrp_instance VI_9 {
                interface eth1
                version 3
                virtual_router_id 9
                priority 150
                advert_int 0.25
                nopreempt
                preempt_delay 7
                use_vmac
                track_interface {
                    eth1 weight -10
                }
                virtual_ipaddress {
                    198.18.1.1/24 dev eth1 label eth1:vip
                    198.18.1.2
                }
            }
            virtual_server 198.18.1.1 80 {
                delay_loop 6
            }
            """;

        var result = KeepalivedConfImporter.Import(conf);

        Assert.That(result.Errors, Is.Empty);
        var instance = result.Config!.Instances.Single();
        Assert.That((instance.Preempt, instance.PreemptDelay, instance.AdvertInt, instance.GarpMasterDelay, instance.GarpMasterRepeat), Is.EqualTo((false, 7.0, 0.25, 1.0, 3)));
        Assert.That(instance.VirtualAddresses, Is.EqualTo(new[] { "198.18.1.1/24", "198.18.1.2" }));
        Assert.That(instance.TrackInterfaces, Is.EqualTo(new[] { "eth1" }));
        Assert.That(result.Warnings, Has.Some.StartsWith("line 4: global_defs 'lvs_id'"));
        Assert.That(instance.UseVmac, Is.True);
        Assert.That(result.Warnings, Has.Some.StartsWith("line 16: track_interface options 'weight -10'"));
        Assert.That(result.Warnings, Has.Some.StartsWith("line 19: virtual_ipaddress options 'dev eth1 label eth1:vip'"));
        Assert.That(result.Warnings, Has.Some.StartsWith("line 23: 'virtual_server' is not imported"));
    }

    [TestCase("vrrp_instance A {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n 198.18.0.1\n }\n", "missing '}'")]
    [TestCase("}\n", "line 1: '}' without a matching '{'")]
    [TestCase("vrrp_instance A {\n interface eth0\n virtual_router_id 1\n authentication {\n auth_type AH\n }\n virtual_ipaddress {\n 198.18.0.1\n }\n}\n", "auth_type AH is not supported")]
    [TestCase("vrrp_instance A {\n interface eth0\n virtual_ipaddress {\n 198.18.0.1\n }\n}\n", "vrid: must be 1–255, got 0")]
    [TestCase("vrrp_instance A {\n interface eth0\n virtual_router_id 1\n priority high\n virtual_ipaddress {\n 198.18.0.1\n }\n}\n", "line 4: 'priority' needs one integer, got 'high'")]
    [TestCase("vrrp_sync_group G {\n group {\n A\n }\n}\nvrrp_instance A {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n 198.18.0.1\n }\n}\n", "sync groups are not supported")]
    [TestCase("vrrp_instance A {\n interface eth0\n virtual_router_id 1\n advert_int 0.5\n virtual_ipaddress {\n 198.18.0.1\n }\n}\n", "VRRPv2 needs whole seconds")]
    [TestCase("vrrp_instance A {\n interface eth0\n virtual_router_id 1\n track_script {\n nope\n }\n virtual_ipaddress {\n 198.18.0.1\n }\n}\n", "track_script 'nope' is not defined")]
    public void Import_Fails_WithClearError(string conf, string expected)
    {
        var result = KeepalivedConfImporter.Import(conf);

        Assert.That(result.Success, Is.False);
        Assert.That(result.Errors, Has.Some.Contains(expected));
    }

    [Test]
    public void Import_ProducesJsonTheHostParses()
    {
        var imported = KeepalivedConfImporter.Import(File.ReadAllText(PcapReader.VectorPath("vec-v2-pass.keepalived.conf"))).Config!;

        var reparsed = VrrpHostConfig.Parse(imported.ToJson());

        Assert.That(reparsed.Errors, Is.Empty);
        Assert.That(reparsed.Config!.Instances.Single(), Is.EqualTo(imported.Instances.Single()).Using<VrrpInstanceConfig>((a, b) => a.ToJsonString() == b.ToJsonString()));
    }
}

internal static class InstanceJson
{
    public static string ToJsonString(this VrrpInstanceConfig instance) => new VrrpHostConfig { Instances = [instance] }.ToJson();
}
