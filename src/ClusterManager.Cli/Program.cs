namespace ClusterManager.Cli;

/// <summary>The hactl executable.</summary>
public static class Program
{
    public static int Main(string[] args) => Hactl.Run(args, Console.Out, Console.Error);
}
