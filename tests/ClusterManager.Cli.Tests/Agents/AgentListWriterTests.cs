using ClusterManager.Cli.Commands.Agents;

namespace ClusterManager.Cli.Tests.Agents;

public class AgentListWriterTests
{
    [TestCase("one two three", 7, new[] { "one two", "three" })]
    [TestCase("  spaced\tout \n text ", 80, new[] { "spaced out text" })]
    [TestCase("abcdefghij kl", 4, new[] { "abcd", "efgh", "ij", "kl" })]
    [TestCase("ab cdefghij", 4, new[] { "ab c", "defg", "hij" })]
    [TestCase("services using docker-compose.", 21, new[] { "services using", "docker-compose." })]
    [TestCase("services using docker-compose.", 22, new[] { "services using docker-", "compose." })]
    [TestCase("a x-y bb-1 cc-dd-ee", 6, new[] { "a x-y", "bb-1", "cc-dd-", "ee" })]
    [TestCase("aa-b-cc", 3, new[] { "aa-", "b-", "cc" })]
    [TestCase("", 10, new string[0])]
    public void Wrap_FillsLinesAsPythonTextwrap_AtTheWidth(string text, int width, string[] expected) =>
        Assert.That(AgentListWriter.Wrap(text, width), Is.EqualTo(expected));

    [TestCase("fence_x", null, "fence_x\n")]
    [TestCase("fence_x", "  ", "fence_x\n")]
    [TestCase("fence_x", "Fence agent\nfor X", "fence_x - Fence agent for X\n")]
    public void WriteEntry_PrintsNameAndCollapsedDescription(string name, string? description, string expected)
    {
        using var writer = new StringWriter();

        AgentListWriter.WriteEntry(writer, name, description);

        Assert.That(writer.ToString(), Is.EqualTo(expected));
    }

    [Test]
    public void WriteEntry_IndentsContinuationLines_UnderTheDescription()
    {
        using var writer = new StringWriter();

        AgentListWriter.WriteEntry(writer, "fence_compute", "Fence agent for the automatic resurrection of OpenStack compute instances");

        Assert.That(writer.ToString(), Is.EqualTo(
            "fence_compute - Fence agent for the automatic resurrection of OpenStack compute\n"
            + "                instances\n"));
    }
}
