using System.Xml.Linq;
using ClusterManager.Cli.Editing;

namespace ClusterManager.Cli.Tests.Editing;

public class CibEditTests
{
    private const string Resources = """
        <resources>
          <primitive id="solo" class="ocf" provider="heartbeat" type="Dummy"/>
          <group id="web">
            <primitive id="ip" class="ocf" provider="heartbeat" type="IPaddr2"/>
            <primitive id="proxy" class="systemd" type="haproxy"/>
          </group>
          <clone id="ping-clone">
            <primitive id="ping" class="ocf" provider="pacemaker" type="ping"/>
          </clone>
        </resources>
        """;

    [TestCase("solo", "solo")]
    [TestCase("proxy", "web")]
    [TestCase("web", "web")]
    [TestCase("ping", "ping-clone")]
    public void FindResource_FindsNestedResources_AndTheirTopLevel(string id, string top)
    {
        var element = CibEdit.FindResource(XElement.Parse(Resources), id);

        Assert.That(element, Is.Not.Null);
        Assert.That((string?)CibEdit.TopLevel(element!).Attribute("id"), Is.EqualTo(top));
    }

    [Test]
    public void FindResource_ReturnsNull_ForAnUnknownId() =>
        Assert.That(CibEdit.FindResource(XElement.Parse(Resources), "nope"), Is.Null);

    [Test]
    public void Primitives_ListsAGroupsMembers() =>
        Assert.That(CibEdit.Primitives(CibEdit.FindResource(XElement.Parse(Resources), "web")!).Select(p => (string?)p.Attribute("id")),
            Is.EqualTo(new[] { "ip", "proxy" }));

    [Test]
    public void SetPairs_CreatesUpdatesAndRemoves_WithPcsIds()
    {
        var primitive = new XElement("primitive", new XAttribute("id", "R"), new XElement("operations"));
        var ids = new HashSet<string>();

        CibEdit.SetPairs(primitive, "meta_attributes", [new("target-role", "Stopped"), new("priority", "5")], ids);
        CibEdit.SetPairs(primitive, "meta_attributes", [new("target-role", "Started")], ids);
        CibEdit.SetPairs(primitive, "meta_attributes", [new("priority", "")], ids);

        Assert.That(primitive.ToString(SaveOptions.DisableFormatting), Is.EqualTo(
            "<primitive id=\"R\"><meta_attributes id=\"R-meta_attributes\">"
            + "<nvpair id=\"R-meta_attributes-target-role\" name=\"target-role\" value=\"Started\" />"
            + "</meta_attributes><operations /></primitive>"));
    }

    [Test]
    public void SetPairs_RemovesTheSet_WhenItBecomesEmpty()
    {
        var primitive = new XElement("primitive", new XAttribute("id", "R"));
        var ids = new HashSet<string>();
        CibEdit.SetPairs(primitive, "meta_attributes", [new("target-role", "Stopped")], ids);

        CibEdit.SetPairs(primitive, "meta_attributes", [new("target-role", "")], ids);

        Assert.That(primitive.HasElements, Is.False);
    }

    [Test]
    public void SetPairs_PutsInstanceAttributesFirst_AsPcsDoes()
    {
        var primitive = new XElement("primitive", new XAttribute("id", "R"));
        var ids = new HashSet<string>();
        CibEdit.SetPairs(primitive, "meta_attributes", [new("a", "1")], ids);

        CibEdit.SetPairs(primitive, "instance_attributes", [new("b", "2")], ids);

        Assert.That(primitive.Elements().Select(e => e.Name.LocalName), Is.EqualTo(new[] { "instance_attributes", "meta_attributes" }));
    }

    [TestCase("location-VirtualIP-node1-INFINITY", "location-VirtualIP-node1-INFINITY")]
    [TestCase("1abc", "_1abc")]
    [TestCase("a b:c", "abc")]
    [TestCase("", "_")]
    public void Sanitize_KeepsValidIdCharacters(string candidate, string id) =>
        Assert.That(CibEdit.Sanitize(candidate), Is.EqualTo(id));

    [Test]
    public void UniqueId_AppendsACounter_WhenTaken()
    {
        var ids = new HashSet<string> { "x", "x-1" };

        Assert.That(CibEdit.UniqueId(ids, "x"), Is.EqualTo("x-2"));
        Assert.That(ids, Does.Contain("x-2"));
    }

    [Test]
    public void ReferencedResources_ListsDirectAndSetReferences()
    {
        var order = XElement.Parse("<rsc_order id=\"o\" first=\"a\" then=\"b\"/>");
        var set = XElement.Parse("<rsc_colocation id=\"c\" score=\"INFINITY\"><resource_set id=\"s\"><resource_ref id=\"x\"/><resource_ref id=\"y\"/></resource_set></rsc_colocation>");

        Assert.That(CibEdit.ReferencedResources(order), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(CibEdit.ReferencedResources(set), Is.EqualTo(new[] { "x", "y" }));
    }
}
