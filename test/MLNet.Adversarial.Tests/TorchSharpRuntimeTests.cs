using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Adversarial.Tests;

[TestClass]
public sealed class TorchSharpRuntimeTests
{
    [TestMethod]
    public void TorchSharpInitialisesAndTrainsInTheTestHost()
    {
        torch.manual_seed(1);
        var w = new TorchSharp.Modules.Parameter(torch.zeros(3));
        var target = torch.tensor(new float[] { 1f, -2f, 3f });
        var opt = torch.optim.SGD(new[] { w }, 0.1);
        for (int i = 0; i < 200; i++)
        {
            opt.zero_grad();
            var loss = (w - target).pow(2).sum();
            loss.backward();
            opt.step();
        }
        Assert.AreEqual(1f, w[0].item<float>(), 1e-3);
    }
}
