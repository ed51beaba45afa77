using System.Net;
using ClusterManager.Vrrp.Configuration;
using ClusterManager.Vrrp.Packets;

namespace ClusterManager.Vrrp.Tests.Configuration;

public class VrrpHostConfigTests
{
    [Test]
    public void Parse_MapsToSettings_WithDefaults()
    {
        var result = VrrpHostConfig.Parse("""
            { "instances": [ { "name": "VI_1", "interface": "eth0", "vrid": 51, "advertInt": 0.1,
                               "virtualAddresses": ["198.18.0.100/24", "198.18.0.101"] } ] }
            """);

        var settings = result.Config!.Instances[0].ToSettings();
        Assert.That((settings.Version, settings.AdvertIntervalCentiseconds, settings.Priority, settings.Preempt, settings.GarpMasterRepeat), Is.EqualTo((VrrpVersion.V3, 10, (byte)100, true, 5)));
        Assert.That(result.Config.Instances[0].ParsedAddresses(), Is.EqualTo(new[] { (IPAddress.Parse("198.18.0.100"), 24), (IPAddress.Parse("198.18.0.101"), 32) }));
    }

    [TestCase("""{ "instances": [ { "vrid": 51, "virtualAddresses": ["198.18.0.100"], "priorty": 5 } ] }""", "priorty")]
    [TestCase("""{ "instances": [ { "vrid": 300, "virtualAddresses": ["198.18.0.100"] } ] }""", "vrid: must be 1–255, got 300")]
    [TestCase("""{ "instances": [ { "vrid": 5, "virtualAddresses": ["198.18.0.300/24"] } ] }""", "'198.18.0.300/24' is not an IP address")]
    [TestCase("""{ "instances": [ { "vrid": 5, "advertInt": 0.005, "virtualAddresses": ["198.18.0.1"] } ] }""", "whole centiseconds")]
    [TestCase("""{ "instances": [ { "vrid": 5, "version": 3, "authPass": "x", "virtualAddresses": ["198.18.0.1"] } ] }""", "VRRPv3 has no authentication")]
    [TestCase("""{ "instances": [] }""", "at least one instance")]
    [TestCase("""{ "instances": [ { "vrid": 5, "virtualAddresses": ["198.18.0.1"] }, { "vrid": 6, "virtualAddresses": ["198.18.0.2"] } ] }""", "name 'VI_1' is used more than once")]
    [TestCase("""{ "instances": [ """, "config:")]
    public void Parse_Fails_NamingTheField(string json, string expected)
    {
        var result = VrrpHostConfig.Parse(json);

        Assert.That(result.Success, Is.False);
        Assert.That(result.Errors, Has.Some.Contains(expected));
    }
}
