using Microsoft.ML;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.OnnxRuntime;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Onnx;
using MLNet.Adversarial.Tests.Onnx;
using MLNet.Adversarial.Trainers;
using TorchSharp;

namespace MLNet.Adversarial.Tests.Trainers;

[TestClass]
public sealed class TorchSharpOnnxParityTests
{
    [TestMethod]
    public void OnnxScoresEqualTheTorchSharpNetworkScores()
    {
        var ml = new MLContext(seed: 1);
        var table = TrainingFixtures.Interactions();
        var options = TrainingFixtures.FastOptions(epochs: 4);
        using var recommender = ml.Adversarial().Trainers.Apr(options).Fit(table.DataView());

        // Rebuild the TorchSharp module from the checkpoint and score every (user, item) pair with torch ops.
        var train = recommender.TrainingData;
        using var network = new MatrixFactorizationNetwork(train.Users.Count, train.Items.Count, options.EmbeddingDimension, 0.01,
            new Random(0), options.Optimizer, options.LearningRate, torch.CPU);
        using (var state = new BinaryReader(new MemoryStream(recommender.Checkpoint!.TrainerState))) TensorState.ReadModule(state, network);
        int users = train.Users.Count, items = train.Items.Count;
        using var userIndex = torch.arange(users, torch.ScalarType.Int64);
        using var candidates = torch.arange(items, torch.ScalarType.Int64).unsqueeze(0).expand(users, items).contiguous();
        using var torchScores = network.ScoreCandidates(userIndex, candidates);
        var expected = torchScores.data<float>().ToArray();

        var userIds = new long[users * items];
        var itemIds = new long[users * items];
        for (int u = 0; u < users; u++)
            for (int i = 0; i < items; i++)
            {
                userIds[u * items + i] = train.Users.Int64Ids[u];
                itemIds[u * items + i] = train.Items.Int64Ids[i];
            }
        using var session = OnnxTestModels.Session(recommender.ScorerOnnx);
        using var results = session.Run([
            NamedOnnxValue.CreateFromTensor(OnnxContract.UserInput, new DenseTensor<long>(userIds, [userIds.Length])),
            NamedOnnxValue.CreateFromTensor(OnnxContract.ItemInput, new DenseTensor<long>(itemIds, [itemIds.Length]))]);
        var actual = results.Single().AsEnumerable<float>().ToArray();

        Assert.AreEqual(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
            Assert.AreEqual(expected[k], actual[k], 1e-5, $"pair {k}");
        Assert.IsTrue(expected.Distinct().Count() > items, "the model is not trivially constant");
    }
}
