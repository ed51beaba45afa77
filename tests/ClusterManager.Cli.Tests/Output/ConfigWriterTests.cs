using System.Text.Json;
using System.Xml.Linq;
using ClusterManager.Cli.Output;

namespace ClusterManager.Cli.Tests.Output;

public class ConfigWriterTests
{
    private const string Resources = """
        <resources>
          <primitive id="VirtualIP" class="ocf" provider="heartbeat" type="IPaddr2">
            <instance_attributes id="VirtualIP-instance_attributes">
              <nvpair id="VirtualIP-instance_attributes-ip" name="ip" value="198.18.0.100"/>
            </instance_attributes>
            <meta_attributes id="VirtualIP-meta_attributes">
              <nvpair id="VirtualIP-meta_attributes-target-role" name="target-role" value="Stopped"/>
            </meta_attributes>
            <operations>
              <op id="VirtualIP-monitor-interval-10s" name="monitor" timeout="20s" interval="10s" on-fail="restart"/>
            </operations>
          </primitive>
          <clone id="ping-clone">
            <meta_attributes id="ping-clone-meta_attributes">
              <nvpair id="ping-clone-meta_attributes-interleave" name="interleave" value="true"/>
            </meta_attributes>
            <group id="g">
              <primitive id="ping" class="ocf" provider="pacemaker" type="ping"/>
            </group>
          </clone>
        </resources>
        """;

    [Test]
    public void WriteText_UsesPcsConfigLayout()
    {
        using var writer = new StringWriter();

        ConfigWriter.WriteText(writer, XElement.Parse(Resources).Elements());

        Assert.That(writer.ToString(), Is.EqualTo("""
            Resource: VirtualIP (class=ocf provider=heartbeat type=IPaddr2)
              Attributes: VirtualIP-instance_attributes
                ip=198.18.0.100
              Meta Attributes: VirtualIP-meta_attributes
                target-role=Stopped
              Operations:
                monitor: VirtualIP-monitor-interval-10s
                  interval=10s
                  timeout=20s
                  on-fail=restart
            Clone: ping-clone
              Meta Attributes: ping-clone-meta_attributes
                interleave=true
              Group: g
                Resource: ping (class=ocf provider=pacemaker type=ping)

            """.Replace("\r", "", StringComparison.Ordinal)));
    }

    [Test]
    public void Json_ListsPrimitivesGroupsAndClones()
    {
        var json = JsonDocument.Parse(ConfigWriter.Json(XElement.Parse(Resources).Elements()).ToJsonString()).RootElement;

        Assert.That(json.GetProperty("primitives").EnumerateArray().Select(p => p.GetProperty("id").GetString()), Is.EqualTo(new[] { "VirtualIP", "ping" }));
        var ip = json.GetProperty("primitives")[0];
        Assert.That(ip.GetProperty("agent_name").GetProperty("type").GetString(), Is.EqualTo("IPaddr2"));
        Assert.That(ip.GetProperty("operations")[0].GetProperty("interval").GetString(), Is.EqualTo("10s"));
        Assert.That(ip.GetProperty("instance_attributes")[0].GetProperty("nvpairs")[0].GetProperty("value").GetString(), Is.EqualTo("198.18.0.100"));
        Assert.That(json.GetProperty("groups")[0].GetProperty("member_ids")[0].GetString(), Is.EqualTo("ping"));
        Assert.That(json.GetProperty("clones")[0].GetProperty("member_id").GetString(), Is.EqualTo("g"));
    }
}
