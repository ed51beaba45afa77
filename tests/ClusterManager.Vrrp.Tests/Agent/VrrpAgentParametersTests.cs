using ClusterManager.Agents;
using ClusterManager.Agents.Ocf;
using ClusterManager.Agents.Vrrp;
using ClusterManager.Vrrp.Configuration;
using ClusterManager.Vrrp.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterManager.Vrrp.Tests.Agent;

public class VrrpAgentParametersTests
{
    private static Dictionary<string, string> Base() => new(StringComparer.Ordinal)
    {
        ["vrid"] = "51",
        ["interface"] = "eth0",
        ["ip"] = "198.18.0.100/24, 198.18.0.101",
    };

    [Test]
    public void Parse_KeepalivedNames_BecomeTheHostConfiguration()
    {
        var p = Base();
        p["priority"] = "90";
        p["advert_int"] = "1";
        p["version"] = "2";
        p["auth_pass"] = "kvpass12";
        p["nopreempt"] = "true";
        p["unicast_src_ip"] = "198.18.0.11";
        p["unicast_peer"] = "198.18.0.12 198.18.0.13";
        p["track_interface"] = "eth0";
        p["track_script"] = "test -f /run/healthy";
        p["track_script_interval"] = "2";
        p["track_script_weight"] = "-20";
        p["track_script_fall"] = "3";
        p["notify"] = "/usr/local/bin/notify.sh";

        var (parsed, errors) = VrrpAgentParameters.Parse("vip-vrrp:1", p);

        Assert.That(errors, Is.Empty);
        var instance = parsed!.Config.Instances.Single();
        Assert.That(parsed.Instance, Is.EqualTo("vip-vrrp"));
        Assert.That(instance.Name, Is.EqualTo("vip-vrrp"));
        Assert.That(instance.VirtualAddresses, Is.EqualTo(new[] { "198.18.0.100/24", "198.18.0.101" }));
        Assert.That(instance.UnicastPeers, Is.EqualTo(new[] { "198.18.0.12", "198.18.0.13" }));
        Assert.That((instance.Priority, instance.Version, instance.AuthPass, instance.Preempt), Is.EqualTo((90, 2, "kvpass12", false)));
        var script = parsed.Config.Scripts.Single();
        Assert.That((script.Script, script.Interval, script.Weight, script.Fall, script.Rise), Is.EqualTo(("test -f /run/healthy", 2.0, -20, 3, 1)));
        Assert.That(instance.TrackScripts, Is.EqualTo(new[] { script.Name }));
        Assert.That(instance.Notify, Is.EqualTo("/usr/local/bin/notify.sh"));
    }

    [TestCase(null, 0.1)]
    [TestCase("3", 0.1)]
    [TestCase("2", 1.0)]
    public void Parse_DefaultAdvertInt_IsFastForV3AndWholeSecondsForV2(string? version, double expected)
    {
        var p = Base();
        if (version is not null)
        {
            p["version"] = version;
        }

        var (parsed, errors) = VrrpAgentParameters.Parse("vip", p);

        Assert.That(errors, Is.Empty);
        Assert.That(parsed!.Config.Instances.Single().AdvertInt, Is.EqualTo(expected));
    }

    [Test]
    public void Parse_JsonTrackScripts_AreKeepalivedVrrpScripts()
    {
        var p = Base();
        p["track_script"] = """[{"name":"chk_a","script":"true","interval":2,"weight":-20,"fall":3,"rise":2},{"name":"chk_b","script":"false"}]""";

        var (parsed, errors) = VrrpAgentParameters.Parse("vip", p);

        Assert.That(errors, Is.Empty);
        Assert.That(parsed!.Config.Scripts.Select(s => s.Name), Is.EqualTo(new[] { "chk_a", "chk_b" }));
        Assert.That(parsed.Config.Instances[0].TrackScripts, Is.EqualTo(new[] { "chk_a", "chk_b" }));
        Assert.That(parsed.Config.Scripts[0].Rise, Is.EqualTo(2));
    }

    [TestCase("vrid", null, "vrid (the virtual router id, 1-255) is mandatory")]
    [TestCase("vrid", "300", "vrid: must be 1–255")]
    [TestCase("interface", null, "interface is mandatory")]
    [TestCase("ip", null, "ip (the virtual addresses) is mandatory")]
    [TestCase("ip", "198.18.0.300", "ip: '198.18.0.300' is not an IP address")]
    [TestCase("ip", "2001:db8::1", "IPv6 virtual addresses are not supported")]
    [TestCase("priority", "high", "priority 'high' is not an integer")]
    [TestCase("advert_int", "0.005", "advert_int")]
    [TestCase("auth_pass", "secret", "auth_pass needs version=2")]
    [TestCase("preempt", "maybe", "preempt 'maybe' is not a boolean")]
    [TestCase("track_script", "[{\"nam\":1}]", "track_script: not a JSON array")]
    public void Parse_Error_NamesTheParameter(string name, string? value, string expected)
    {
        var p = Base();
        if (value is null)
        {
            p.Remove(name);
        }
        else
        {
            p[name] = value;
        }

        var (parsed, errors) = VrrpAgentParameters.Parse("vip", p);

        Assert.That(parsed, Is.Null);
        Assert.That(string.Join("; ", errors), Does.Contain(expected));
    }

    [TestCase("vip-vrrp", "vip-vrrp")]
    [TestCase("vip-vrrp:0", "vip-vrrp")]
    [TestCase("vip:vrrp", "vip:vrrp")]
    [TestCase("vip-vrrp:", "vip-vrrp:")]
    public void InstanceName_StripsTheCloneSuffix_Only(string resource, string expected)
    {
        Assert.That(VrrpAgentParameters.InstanceName(resource), Is.EqualTo(expected));
    }

    [Test]
    public async Task MetaData_ParsesAndListsEveryParameter()
    {
        var agent = new VrrpAgent(new VrrpAgentOptions(), TimeProvider.System, NullLogger<VrrpAgent>.Instance);

        var result = await agent.ExecuteAsync(AgentRequest.Create("x", "ocf:clustermanager:vrrp", AgentActions.MetaData, TimeSpan.FromSeconds(5)), CancellationToken.None);

        Assert.That(result.Rc, Is.EqualTo(OcfExitCode.Success));
        var metadata = AgentMetadata.Parse(result.Output);
        Assert.That(metadata.Parameters.Select(p => p.Name), Is.EquivalentTo(VrrpAgentParameters.Names));
        Assert.That(metadata.Parameters.Where(p => p.Required).Select(p => p.Name), Is.EquivalentTo(new[] { "vrid", "interface", "ip" }));
    }

    [Test]
    public async Task ValidateAll_BadParameters_NotConfiguredNamingThem()
    {
        var agent = new VrrpAgent(new VrrpAgentOptions(), TimeProvider.System, NullLogger<VrrpAgent>.Instance);

        var result = await agent.ExecuteAsync(
            AgentRequest.Create("x", "ocf:clustermanager:vrrp", AgentActions.ValidateAll, TimeSpan.FromSeconds(5), [new("ip", "198.18.0.100")]),
            CancellationToken.None);

        Assert.That(result.Rc, Is.EqualTo(OcfExitCode.NotConfigured));
        Assert.That(result.ExitReason, Does.Contain("vrid").And.Contain("interface"));
    }

    [Test]
    public void MismatchSummary_OnlyCurrentLines_SortedAndJoined()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_000_000);
        var text = string.Join('\n',
            $"198.18.0.13\tPassword\t(configured auth_pass)\t(a different password)\t{now.AddSeconds(-5).ToUnixTimeMilliseconds()}",
            $"198.18.0.12\tAdvertInterval\t2s\t1s\t{now.AddSeconds(-1).ToUnixTimeMilliseconds()}",
            $"198.18.0.14\tVersion\t3\t2\t{now.AddMinutes(-5).ToUnixTimeMilliseconds()}",
            "garbage line");

        var lines = VrrpMismatchFile.Parse(text);

        Assert.That(lines, Has.Count.EqualTo(3));
        Assert.That(VrrpMismatchFile.Summary(lines, now), Is.EqualTo("peer 198.18.0.12 field AdvertInterval; peer 198.18.0.13 field Password"));
        Assert.That(VrrpMismatchFile.Summary(lines, now.AddMinutes(1)), Is.Null);
    }

    [Test]
    public void MismatchFile_WriteThenRead_RoundTrips()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cmt-vrrpag-{Guid.NewGuid():N}", "VI_1.mismatch");
        try
        {
            var line = new VrrpMismatchLine("198.18.0.12", VrrpMismatchField.AddressList, "[198.18.0.101]", "[198.18.0.100]",
                DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123));
            VrrpMismatchFile.Write(path, [line]);
            Assert.That(VrrpMismatchFile.Read(path), Is.EqualTo(new[] { line }));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }
}
