namespace ClusterManager.Cib.Tests;

/// <summary>Bad input is refused with a message naming the element and the problem.</summary>
public sealed class CibReaderErrorTests
{
    private static string Cib(string resources = "", string constraints = "", string status = "") =>
        $"""
        <cib epoch="1" have-quorum="true">
          <configuration>
            <crm_config/>
            <nodes><node id="1" uname="node1"/></nodes>
            <resources>
              <primitive id="a" class="ocf" provider="heartbeat" type="Dummy"/>
              <primitive id="b" class="ocf" provider="heartbeat" type="Dummy"/>
              {resources}
            </resources>
            <constraints>{constraints}</constraints>
          </configuration>
          <status>{status}</status>
        </cib>
        """;

    private static CibFormatException? Error(string xml)
    {
        try
        {
            CibReader.Parse(xml, DateTimeOffset.UnixEpoch);
            return null;
        }
        catch (CibFormatException e)
        {
            return e;
        }
    }

    [Test]
    public void Parse_ReportsLineAndColumn_ForMalformedXml()
    {
        var e = Error("<cib>\n  <configuration>\n    <nodes>\n  </configuration>\n</cib>");

        Assert.That(e?.Message, Does.StartWith("malformed XML at line 4, column").And.Contain("nodes"));
    }

    [Test]
    public void Parse_Refuses_ADocumentThatIsNotACib()
    {
        Assert.That(Error("<html/>")?.Message, Does.Contain("<html>"));
    }

    [TestCase(
        "<rsc_colocation id=\"c1\" rsc=\"a\" with-rsc=\"b\" score=\"abc\"/>",
        "rsc_colocation 'c1': score 'abc' is not a score (an integer, INFINITY or -INFINITY)",
        "/cib/configuration/constraints/rsc_colocation[@id='c1']")]
    [TestCase(
        "<rsc_location id=\"l1\" rsc=\"a\" node=\"node1\" score=\"infinity\"/>",
        "rsc_location 'l1': score 'infinity' is not a score",
        "/cib/configuration/constraints/rsc_location[@id='l1']")]
    [TestCase(
        "<rsc_colocation id=\"c2\" rsc=\"a\" with-rsc=\"b\" score=\"10\" rsc-role=\"Leader\"/>",
        "rsc_colocation 'c2': rsc-role 'Leader' is not a role",
        "/cib/configuration/constraints/rsc_colocation[@id='c2']")]
    [TestCase(
        "<rsc_order id=\"o1\" first=\"a\" then=\"b\" first-action=\"launch\"/>",
        "rsc_order 'o1': first-action 'launch' is not an action",
        "/cib/configuration/constraints/rsc_order[@id='o1']")]
    [TestCase(
        "<rsc_order id=\"o2\" first=\"a\"/>",
        "rsc_order 'o2': required attribute 'then' is missing",
        "/cib/configuration/constraints/rsc_order[@id='o2']")]
    [TestCase(
        "<rsc_colocation rsc=\"a\" with-rsc=\"b\" score=\"1\"/>",
        "rsc_colocation: required attribute 'id' is missing",
        "/cib/configuration/constraints/rsc_colocation")]
    [TestCase(
        "<rsc_location id=\"l2\" rsc=\"a\"><rule id=\"r\"><expression id=\"e\" attribute=\"x\" operation=\"like\" value=\"1\"/></rule></rsc_location>",
        "expression 'e': operation 'like' is not one of",
        "/cib/configuration/constraints/rsc_location[@id='l2']/rule[@id='r']/expression[@id='e']")]
    [TestCase(
        "<rsc_location id=\"l3\" rsc=\"a\" node=\"node1\" score=\"1\" resource-discovery=\"sometimes\"/>",
        "rsc_location 'l3': resource-discovery 'sometimes' is not one of always, never, exclusive",
        "/cib/configuration/constraints/rsc_location[@id='l3']")]
    [TestCase(
        "<rsc_location id=\"l4\" rsc=\"a\"><rule id-ref=\"nowhere\"/></rsc_location>",
        "rule 'nowhere': id-ref 'nowhere' names no element in the configuration",
        "/cib/configuration/constraints/rsc_location[@id='l4']/rule")]
    [TestCase(
        "<rsc_location id=\"l5\" rsc-pattern=\"+a\" node=\"node1\" score=\"1\"/>",
        "rsc_location 'l5': rsc-pattern '+a' is not a valid regular expression: Invalid pattern '+a'",
        "/cib/configuration/constraints/rsc_location[@id='l5']")]
    public void Parse_NamesElementAndProblem_ForBadConstraint(string constraint, string message, string path)
    {
        var e = Error(Cib(constraints: constraint));

        Assert.That(e?.ElementPath, Is.EqualTo(path));
        Assert.That(e?.Message, Does.StartWith(message).And.Contain("(line "));
    }

    [TestCase(
        "<primitive id=\"c\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"><operations><op id=\"c-mon\" name=\"monitor\" interval=\"often\"/></operations></primitive>",
        "op 'c-mon': interval 'often' is not a valid interval")]
    [TestCase(
        "<primitive id=\"c\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"><operations><op id=\"c-mon\" name=\"monitor\"/></operations></primitive>",
        "op 'c-mon': required attribute 'interval' is missing")]
    [TestCase(
        "<primitive id=\"c\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"><operations><op id=\"c-mon\" name=\"monitor\" interval=\"10\" role=\"Boss\"/></operations></primitive>",
        "op 'c-mon': role 'Boss' is not a role")]
    [TestCase(
        "<primitive id=\"c\" provider=\"heartbeat\" type=\"Dummy\"/>",
        "primitive 'c': required attribute 'class' is missing")]
    [TestCase(
        "<primitive class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>",
        "primitive: required attribute 'id' is missing")]
    [TestCase(
        "<primitive id=\"c\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"><meta_attributes id=\"c-meta\" score=\"high\"/></primitive>",
        "meta_attributes 'c-meta': score 'high' is not a score")]
    [TestCase(
        "<clone id=\"cl\"><meta_attributes id=\"cl-meta\"/></clone>",
        "clone 'cl': a clone needs a primitive or a group")]
    [TestCase(
        "<group id=\"g\"/>",
        "group 'g': a group needs at least one primitive")]
    public void Parse_NamesElementAndProblem_ForBadResource(string resource, string message)
    {
        Assert.That(Error(Cib(resources: resource))?.Message, Does.StartWith(message));
    }

    [TestCase("<node_state id=\"9\" in_ccm=\"true\"/>", "node_state '9': has no uname and its id names no configured node")]
    [TestCase("<node_state id=\"1\"><lrm id=\"1\"><lrm_resources><lrm_resource id=\"a\" class=\"ocf\" type=\"Dummy\"><lrm_rsc_op id=\"a_last_0\" operation=\"start\" rc-code=\"0\" op-status=\"0\" interval=\"0\"/></lrm_resource></lrm_resources></lrm></node_state>", "lrm_rsc_op 'a_last_0': required attribute 'call-id' is missing")]
    [TestCase("<node_state id=\"1\"><lrm id=\"1\"><lrm_resources><lrm_resource id=\"a\" class=\"ocf\" type=\"Dummy\"><lrm_rsc_op id=\"a_last_0\" operation=\"start\" call-id=\"x\" rc-code=\"0\" op-status=\"0\" interval=\"0\"/></lrm_resource></lrm_resources></lrm></node_state>", "lrm_rsc_op 'a_last_0': call-id 'x' is not an integer")]
    public void Parse_NamesElementAndProblem_ForBadStatus(string status, string message)
    {
        var e = Error(Cib(status: status));

        Assert.That((e?.Message.StartsWith(message, StringComparison.Ordinal), e?.ElementPath.StartsWith("/cib/status/node_state", StringComparison.Ordinal)), Is.EqualTo(((bool?)true, (bool?)true)), e?.Message);
    }

    [Test]
    public void Parse_WarnsAndTreatsAsMandatory_ForUnknownOrderKind()
    {
        var doc = CibReader.Parse(Cib(constraints: "<rsc_order id=\"o\" first=\"a\" then=\"b\" kind=\"mandatory\"/>"), DateTimeOffset.UnixEpoch);

        Assert.That(doc.Warnings, Has.One.StartsWith("rsc_order 'o': kind 'mandatory' is not an order kind"));
    }

    [Test]
    public void Parse_WarnsAndDropsTimeout_WhenUnparsable()
    {
        var doc = CibReader.Parse(
            Cib(resources: "<primitive id=\"c\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"><operations><op id=\"c-mon\" name=\"monitor\" interval=\"10\" timeout=\"bad\"/></operations></primitive>"),
            DateTimeOffset.UnixEpoch);

        Assert.That(doc.Warnings, Has.One.StartsWith("op 'c-mon': timeout 'bad' is not a valid interval"));
    }
}
