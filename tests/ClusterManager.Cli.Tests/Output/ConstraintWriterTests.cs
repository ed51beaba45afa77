using System.Text.Json;
using System.Xml.Linq;
using ClusterManager.Cli.Output;

namespace ClusterManager.Cli.Tests.Output;

public class ConstraintWriterTests
{
    private const string Constraints = """
        <constraints>
          <rsc_location id="location-VirtualIP-n1-INFINITY" rsc="VirtualIP" node="n1" score="INFINITY"/>
          <rsc_location id="cli-ban-VirtualIP-on-n2" rsc="VirtualIP" role="Started" node="n2" score="-INFINITY"/>
          <rsc_colocation id="colocation-HAProxy-VirtualIP-INFINITY" rsc="HAProxy" with-rsc="VirtualIP" score="INFINITY"/>
          <rsc_order id="order-VirtualIP-HAProxy-mandatory" first="VirtualIP" first-action="start" then="HAProxy" then-action="start" kind="Mandatory"/>
          <rsc_order id="o2" first="db" first-action="promote" then="app" then-action="start" kind="Optional"/>
        </constraints>
        """;

    private static string Text(bool full, params string[] kinds)
    {
        using var writer = new StringWriter();
        ConstraintWriter.WriteText(writer, XElement.Parse(Constraints), full, kinds.Length == 0 ? null : kinds);
        return writer.ToString();
    }

    [Test]
    public void WriteText_UsesPcsLayout_WithIdsWhenFull() =>
        Assert.That(Text(full: true), Is.EqualTo("""
            Location Constraints:
              resource 'VirtualIP' prefers node 'n1' with score INFINITY (id: location-VirtualIP-n1-INFINITY)
              resource 'VirtualIP' (role: Started) avoids node 'n2' with score -INFINITY (id: cli-ban-VirtualIP-on-n2)
            Colocation Constraints:
              resource 'HAProxy' with resource 'VirtualIP' (id: colocation-HAProxy-VirtualIP-INFINITY)
                score=INFINITY
            Order Constraints:
              start resource 'VirtualIP' then start resource 'HAProxy' (id: order-VirtualIP-HAProxy-mandatory)
              promote resource 'db' then start resource 'app' (id: o2)
                kind=Optional

            """.Replace("\r", "", StringComparison.Ordinal)));

    [Test]
    public void WriteText_OmitsIds_WithoutFull() =>
        Assert.That(Text(full: false), Does.Not.Contain("(id:"));

    [Test]
    public void WriteText_ShowsOnlyTheAskedKinds() =>
        Assert.That(Text(false, "order"), Does.StartWith("Order Constraints:").And.Not.Contain("Location"));

    [Test]
    public void Json_ShapesConstraintsAsPcsDoes()
    {
        var json = JsonDocument.Parse(ConstraintWriter.Json(XElement.Parse(Constraints)).ToJsonString()).RootElement;

        Assert.That(json.GetProperty("location").GetArrayLength(), Is.EqualTo(2));
        Assert.That(json.GetProperty("location")[1].GetProperty("attributes").GetProperty("score").GetString(), Is.EqualTo("-INFINITY"));
        Assert.That(json.GetProperty("colocation")[0].GetProperty("with_resource_id").GetString(), Is.EqualTo("VirtualIP"));
        Assert.That(json.GetProperty("order")[1].GetProperty("first_action").GetString(), Is.EqualTo("promote"));
        Assert.That(json.GetProperty("order_set").GetArrayLength(), Is.Zero);
    }
}
