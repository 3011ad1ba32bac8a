namespace MLNet.Adversarial.Cli;

/// <summary>The <c>mlnet-adv</c> entry point.</summary>
internal static class Program
{
    private static int Main(string[] args) => CliApp.Run(args, Console.Out, Console.Error);
}
