namespace ClusterManager.Cli.Tests.Agents;

/// <summary>The local agent commands as registered in hactl's command table (this node's default locations).</summary>
public class LocalAgentCommandsTests
{
    [TestCase("resource standards")]
    [TestCase("resource describe")]
    [TestCase("resource debug-monitor")]
    [TestCase("stonith list")]
    public void Run_ListsTheCommand_InTheOverview(string command)
    {
        using var stdout = new StringWriter();

        var code = Hactl.Run(["--help"], stdout, TextWriter.Null);

        Assert.That(code, Is.Zero);
        Assert.That(stdout.ToString(), Does.Contain($"  {command} "));
    }

    [Test]
    public void Run_PrintsUsage_ForDebugHelp()
    {
        using var stdout = new StringWriter();

        var code = Hactl.Run(["resource", "debug-stop", "--help"], stdout, TextWriter.Null);

        Assert.That(code, Is.Zero);
        Assert.That(stdout.ToString(), Does.StartWith("Usage: hactl resource debug-stop RESOURCE-ID -f FILE [NAME=VALUE ...]"));
    }

    [Test]
    public void Run_DescribesDummy_WithTheDefaultLocations()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = Hactl.Run(["resource", "describe", "ocf:heartbeat:Dummy"], stdout, stderr);

        Assert.That((code, stderr.ToString()), Is.EqualTo((0, "")));
        Assert.That(stdout.ToString(), Does.StartWith("ocf:heartbeat:Dummy - Example stateless resource agent\n"));
    }
}
