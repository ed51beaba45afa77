using System.Xml.Linq;
using ClusterManager.Cli.Commands;
using ClusterManager.Cli.Editing;

namespace ClusterManager.Cli.Tests.Editing;

public class ConstraintXmlTests
{
    [Test]
    public void Ids_FollowPcs()
    {
        Assert.That(ConstraintXml.LocationId("VirtualIP", "node1", "INFINITY"), Is.EqualTo("location-VirtualIP-node1-INFINITY"));
        Assert.That(ConstraintXml.LocationId("VirtualIP", "node1", "-INFINITY"), Is.EqualTo("location-VirtualIP-node1--INFINITY"));
        Assert.That(ConstraintXml.ColocationId("HAProxy", "VirtualIP", "INFINITY"), Is.EqualTo("colocation-HAProxy-VirtualIP-INFINITY"));
        Assert.That(ConstraintXml.OrderId("VirtualIP", "HAProxy", "Mandatory"), Is.EqualTo("order-VirtualIP-HAProxy-mandatory"));
        Assert.That(ConstraintXml.PreferId("VirtualIP"), Is.EqualTo("cli-prefer-VirtualIP"));
        Assert.That(ConstraintXml.BanId("VirtualIP", "node1"), Is.EqualTo("cli-ban-VirtualIP-on-node1"));
    }

    [TestCase("INFINITY", "INFINITY")]
    [TestCase("+INFINITY", "INFINITY")]
    [TestCase("-INFINITY", "-INFINITY")]
    [TestCase("100", "100")]
    [TestCase("-50", "-50")]
    public void Score_AcceptsPacemakerScores(string text, string canonical) =>
        Assert.That(ConstraintXml.Score(text), Is.EqualTo(canonical));

    [TestCase("infinity")]
    [TestCase("lots")]
    [TestCase("1.5")]
    public void Score_RefusesOtherText(string text)
    {
        var error = Assert.Throws<UsageException>(() => ConstraintXml.Score(text));

        Assert.That(error!.Message, Is.EqualTo($"invalid score '{text}', use integer or INFINITY or -INFINITY"));
    }

    [TestCase("Promoted", "Promoted", false)]
    [TestCase("unpromoted", "Unpromoted", false)]
    [TestCase("Master", "Promoted", true)]
    [TestCase("Slave", "Unpromoted", true)]
    [TestCase("Started", "Started", false)]
    public void Role_MapsDeprecatedNames_WithAWarning(string text, string role, bool warns)
    {
        using var warnings = new StringWriter();

        Assert.That(ConstraintXml.Role(text, warnings), Is.EqualTo(role));
        Assert.That(warnings.ToString().Contains("Deprecation Warning", StringComparison.Ordinal), Is.EqualTo(warns));
    }

    [Test]
    public void Elements_CarryTheGivenAttributes()
    {
        var location = ConstraintXml.Location("l", "R", "n1", "INFINITY", "Started");
        var colocation = ConstraintXml.Colocation("c", "A", "B", "INFINITY", "Promoted", null, [new("node-attribute", "rack")]);
        var order = ConstraintXml.Order("o", "A", "promote", "B", "start", [new("kind", "Optional")]);

        Assert.That(location.ToString(SaveOptions.DisableFormatting), Is.EqualTo("<rsc_location id=\"l\" rsc=\"R\" role=\"Started\" node=\"n1\" score=\"INFINITY\" />"));
        Assert.That(colocation.ToString(SaveOptions.DisableFormatting), Is.EqualTo("<rsc_colocation id=\"c\" rsc=\"A\" with-rsc=\"B\" score=\"INFINITY\" rsc-role=\"Promoted\" node-attribute=\"rack\" />"));
        Assert.That(order.ToString(SaveOptions.DisableFormatting), Is.EqualTo("<rsc_order id=\"o\" first=\"A\" first-action=\"promote\" then=\"B\" then-action=\"start\" kind=\"Optional\" />"));
    }
}
