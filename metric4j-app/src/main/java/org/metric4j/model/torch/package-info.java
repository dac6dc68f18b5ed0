/**
 * PyTorch interoperability without Python: state-dict entries of blocks
 * ({@link org.metric4j.model.torch.TorchStateful}, {@link org.metric4j.model.torch.StateEntry}),
 * {@code torch.save} state dicts read ({@link org.metric4j.model.torch.StateDictReader}) and
 * written ({@link org.metric4j.model.torch.StateDictWriter}) as
 * {@link org.metric4j.model.torch.StateDict}s of {@link org.metric4j.model.torch.TorchTensor}s,
 * and loaded strictly into blocks ({@link org.metric4j.model.torch.StateDictLoader}). The format
 * is defined by PyTorch's torch/serialization.py and torch/_utils.py; the pickle in it is read and
 * written with Pyrolite ({@code net.razorvine:pickle}).
 */
package org.metric4j.model.torch;
