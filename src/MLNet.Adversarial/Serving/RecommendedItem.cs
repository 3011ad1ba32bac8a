namespace MLNet.Adversarial.Serving;

/// <summary>One recommended item: its raw id (an integer id as invariant text), its catalogue index and its score.</summary>
/// <param name="ItemId">The raw item id, as the model's item vocabulary holds it (integers as invariant text).</param>
/// <param name="ItemIndex">The item's index in the model's catalogue (<c>Model.Items</c>).</param>
/// <param name="Score">The model's score, the same value <c>topk.onnx</c> returns (to float rounding).</param>
public readonly record struct RecommendedItem(string ItemId, int ItemIndex, float Score);
