namespace MLNet.Adversarial.Research;

/// <summary>The <c>mlnet-adv-research</c> entry point.</summary>
internal static class Program
{
    private static int Main(string[] args) => ResearchApp.Run(args, Console.Out, Console.Error);
}
