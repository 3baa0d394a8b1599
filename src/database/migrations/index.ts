import { Initial1763760000000 } from './1763760000000-Initial.js';
import { PostsAndFriendships1763770000000 } from './1763770000000-PostsAndFriendships.js';
import { Chat1763780000000 } from './1763780000000-Chat.js';
import { MessageSequence1763790000000 } from './1763790000000-MessageSequence.js';
import { AccountDeletion1763800000000 } from './1763800000000-AccountDeletion.js';
import { DrfCompatibility1764600000000 } from './1764600000000-DrfCompatibility.js';
import { UsernameKeys1764700000000 } from './1764700000000-UsernameKeys.js';
import { ReadState1764800000000 } from './1764800000000-ReadState.js';
import { MessageActions1764900000000 } from './1764900000000-MessageActions.js';
import { Blocks1765000000000 } from './1765000000000-Blocks.js';
import { MessageSearch1765100000000 } from './1765100000000-MessageSearch.js';
import { SearchIndexNoPendingList1765200000000 } from './1765200000000-SearchIndexNoPendingList.js';
import { MemberActivity1765300000000 } from './1765300000000-MemberActivity.js';
import { DjangoImport1765400000000 } from './1765400000000-DjangoImport.js';

/** Every migration, oldest first. Add each new migration here (the ESM build does not glob). */
export const migrations = [Initial1763760000000, PostsAndFriendships1763770000000, Chat1763780000000, MessageSequence1763790000000, AccountDeletion1763800000000, DrfCompatibility1764600000000, UsernameKeys1764700000000, ReadState1764800000000, MessageActions1764900000000, Blocks1765000000000, MessageSearch1765100000000, SearchIndexNoPendingList1765200000000, MemberActivity1765300000000, DjangoImport1765400000000];
