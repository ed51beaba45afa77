using ClusterManager.Cli.Commands;
using ClusterManager.Cli.Editing;

namespace ClusterManager.Cli.Tests.Editing;

public class RuleXmlTests
{
    private static string Rule(string expression, string? score = null, string? scoreAttribute = null, string? role = null) =>
        RuleXml.Rule("r", expression.Split(' ', StringSplitOptions.RemoveEmptyEntries), score, scoreAttribute, role)
            .ToString(System.Xml.Linq.SaveOptions.DisableFormatting);

    [TestCase("defined pingd",
        """<rule id="r" score="INFINITY"><expression id="r-expr" attribute="pingd" operation="defined" /></rule>""")]
    [TestCase("pingd lt 1 or not_defined pingd",
        """<rule id="r" boolean-op="or" score="INFINITY"><expression id="r-expr" attribute="pingd" operation="lt" value="1" /><expression id="r-expr-1" attribute="pingd" operation="not_defined" /></rule>""")]
    [TestCase("#uname eq n1 and rack gte integer 2 and defined ssd",
        """<rule id="r" boolean-op="and" score="INFINITY"><expression id="r-expr" attribute="#uname" operation="eq" value="n1" /><expression id="r-expr-1" attribute="rack" operation="gte" value="2" type="integer" /><expression id="r-expr-2" attribute="ssd" operation="defined" /></rule>""")]
    [TestCase("(a eq 1 or b eq 2) and defined c",
        """<rule id="r" boolean-op="and" score="INFINITY"><rule id="r-rule" boolean-op="or"><expression id="r-expr" attribute="a" operation="eq" value="1" /><expression id="r-expr-1" attribute="b" operation="eq" value="2" /></rule><expression id="r-expr-2" attribute="c" operation="defined" /></rule>""")]
    [TestCase("date gt 2030-01-01",
        """<rule id="r" score="INFINITY"><date_expression id="r-expr" operation="gt" start="2030-01-01" /></rule>""")]
    [TestCase("date in_range 2030-01-01 to duration months=2",
        """<rule id="r" score="INFINITY"><date_expression id="r-expr" operation="in_range" start="2030-01-01"><duration id="r-expr-duration" months="2" /></date_expression></rule>""")]
    [TestCase("date-spec hours=9-16 weekdays=1-5",
        """<rule id="r" score="INFINITY"><date_expression id="r-expr" operation="date_spec"><date_spec id="r-expr-datespec" hours="9-16" weekdays="1-5" /></date_expression></rule>""")]
    public void Rule_BuildsPacemakersRuleXml_FromPcsExpressions(string expression, string xml) =>
        Assert.That(Rule(expression), Is.EqualTo(xml));

    [Test]
    public void Rule_UsesScoreAttributeAndRole_WhenGiven() =>
        Assert.That(Rule("defined pingd", scoreAttribute: "pingd", role: "Promoted"),
            Is.EqualTo("""<rule id="r" score-attribute="pingd" role="Promoted"><expression id="r-expr" attribute="pingd" operation="defined" /></rule>"""));

    [TestCase("", "has no expression")]
    [TestCase("pingd lt", "'pingd lt' needs a value")]
    [TestCase("pingd like 1", "'like' is not a comparison")]
    [TestCase("defined", "'defined' needs a node attribute name")]
    [TestCase("( defined a", "missing ')'")]
    [TestCase("defined a b", "unexpected 'b'")]
    [TestCase("defined a and", "ends too early")]
    [TestCase("date in_range 2030-01-01 until 2031-01-01", "needs 'to DATE'")]
    [TestCase("date-spec hour=9", "'hour=9' is not a date-spec field")]
    [TestCase("date in_range 2030-01-01 to duration weekdays=1", "'weekdays=1' is not a duration field")]
    public void Rule_NamesTheProblem_WhenTheExpressionIsMalformed(string expression, string message)
    {
        var error = Assert.Throws<UsageException>(() => Rule(expression));

        Assert.That(error!.Message, Does.Contain(message));
    }
}
