/** The picture of every user who has not uploaded one: the contracts' path, served by the media routes. */
export const DEFAULT_USER_IMAGE = '/media/user_images/default.jpg';
